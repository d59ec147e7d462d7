"""提醒设置: a person turns the daily digest off, sets quiet hours and their 浙政钉/DingTalk user id."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongfen.common import Actor, DomainError

from . import services
from .models import ReminderSetting


class SettingForm(forms.ModelForm):
    class Meta:
        model = ReminderSetting
        fields = ["opted_out", "quiet_start", "quiet_end", "dingtalk_userid"]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


@login_required
def settings_page(request):
    current = ReminderSetting.objects.filter(user=request.user).first() or ReminderSetting(user=request.user)
    form = SettingForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.setting_save(actor=Actor(request.user), user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存提醒设置"))
            return redirect("reminders:settings")
    return render(request, "reminders/settings.html", {"form": form})
