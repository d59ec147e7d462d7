"""Filters of the ranking pages (plain GET forms; htmx sends the same fields)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BoardsFilter(forms.Form):
    q = forms.CharField(label=_("搜索排名组"), required=False, max_length=100)


class BoardFilter(forms.Form):
    """Name/code and tier filter of a board; the tier choices are the scheme's tiers."""

    q = forms.CharField(label=_("姓名或代码"), required=False, max_length=100)
    tier = forms.TypedChoiceField(label=_("档次"), required=False, coerce=int, empty_value=None)

    def __init__(self, data=None, *, tiers: list[str], **kwargs):
        super().__init__(data, **kwargs)
        self.fields["tier"].choices = [("", _("全部档次")), *((str(i), name) for i, name in enumerate(tiers))]

    def criteria(self) -> tuple[str, int | None]:
        """(query, tier index) of a valid form; an invalid one filters nothing."""
        if not self.is_valid():
            return "", None
        return self.cleaned_data["q"], self.cleaned_data["tier"]


class PublishForm(forms.Form):
    """How many working days the objection window (异议期) runs; the scheme's ``objection_days`` by default."""

    window_days = forms.IntegerField(label=_("异议期（工作日）"), min_value=1, max_value=60, required=False)


class RepublishForm(PublishForm):
    reason = forms.CharField(label=_("重新公示的理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("说明"), max_length=2000, required=False)


MOVE_FORMS = {"close": CloseForm, "publish": PublishForm, "republish": RepublishForm, "finalize": forms.Form}
