"""Forms of the people and posts pages: they parse; the services judge."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        depth = obj.path.count("/") - 1
        return f"{'　' * depth}{obj.name}（{obj.code}）"


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名或编码"), required=False, widget=forms.SearchInput)
    unit = UnitChoiceField(label=_("单位"), queryset=None, required=False, empty_label=_("全部单位"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["q"].widget.attrs["placeholder"] = _("姓名或编码")


class PostForm(forms.Form):
    """A post (岗位): unit, position, from … to (inclusive; empty = still held)."""

    unit = UnitChoiceField(label=_("单位"), queryset=None)
    position = forms.CharField(label=_("职务类别"), help_text=_("如 一般干部、中层干部；可从建议中选择"))
    start = forms.DateField(label=_("任职开始日期"), widget=DATE)
    end = forms.DateField(label=_("任职结束日期"), required=False, widget=DATE, help_text=_("仍在任则留空"))

    def __init__(self, *args, units, positions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["position"].widget.attrs["list"] = "position-choices"
        self.position_choices = list(positions)


class CadreForm(PostForm):
    """A new cadre (干部) with a first post."""

    code = forms.CharField(label=_("干部编码"), help_text=_("全县唯一，不含空格和“/”"))
    name = forms.CharField(label=_("姓名"))
    field_order = ["code", "name", "unit", "position", "start", "end"]


class PostEndForm(forms.Form):
    end = forms.DateField(label=_("结束日期"), widget=DATE, help_text=_("最后在岗的一天"))
