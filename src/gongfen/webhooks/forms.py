from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Event


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("如：县 OA 系统"))
    url = forms.CharField(label=_("推送地址"), max_length=500, help_text=_("接收方的 http:// 或 https:// 地址"))
    events = forms.MultipleChoiceField(
        label=_("订阅事件"), choices=Event.choices, widget=forms.CheckboxSelectMultiple, initial=Event.values
    )
