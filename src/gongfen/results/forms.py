"""The override form of the action lists (组织部 only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongfen.rankings.page_selectors import ACTION_LABELS

from .services import ACTIONS


class OverrideForm(forms.Form):
    cadre = forms.CharField(label=_("干部代码"), max_length=50)
    action = forms.ChoiceField(label=_("名单"), choices=[(a, ACTION_LABELS[a]) for a in ACTIONS])
    include = forms.TypedChoiceField(
        label=_("调整为"),
        choices=[("1", _("列入名单")), ("0", _("移出名单"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
