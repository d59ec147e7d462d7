"""Forms of the intake pages: they parse; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongfen.accounts.models import User
from gongfen.org.models import Cadre, Unit
from gongfen.schemes.models import Category, Rule


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("异议理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SourceForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=100)
    owner = forms.ModelChoiceField(label=_("负责人账号"), queryset=User.objects.filter(is_active=True))
    rules = forms.ModelMultipleChoiceField(
        label=_("可推送的规则"), queryset=Rule.objects.exclude(category=Category.BASE).select_related("scheme")
    )
    units = forms.ModelMultipleChoiceField(label=_("可推送的单位（含下级）"), queryset=Unit.objects.all())


class LinkForm(forms.Form):
    identifier = forms.CharField(label=_("来源系统中的人员标识"), max_length=100)
    cadre = forms.ModelChoiceField(label=_("干部"), queryset=Cadre.objects.none(), to_field_name="code")

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cadres is not None:
            self.fields["cadre"].queryset = cadres


class GroupForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("赋分规则"), queryset=Rule.objects.none())
    cadres = forms.ModelMultipleChoiceField(
        label=_("受益人"), queryset=Cadre.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    occurred_on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    quantity = forms.DecimalField(label=_("每人数量"), max_digits=12, decimal_places=4, min_value=0, initial=1)
    description = forms.CharField(label=_("共同完成的工作"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, rules=None, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rules is not None:
            self.fields["rule"].queryset = rules
        if cadres is not None:
            self.fields["cadres"].queryset = cadres


class GroupDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("退回"))])
    reason = forms.CharField(required=False, max_length=2000)
    cadre = forms.CharField(required=False, max_length=64)
