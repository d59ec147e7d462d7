"""The form of the token page: it parses; ``services.token_create`` decides."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Scope


class TokenForm(forms.Form):
    name = forms.CharField(label=_("名称（用途）"), max_length=100, help_text=_("例如：OA 系统同步"))
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"),
        choices=[c for c in Scope.choices if c[0] != Scope.INTAKE],  # a source's token comes with its source
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
    )
    expires_on = forms.DateField(
        label=_("有效期至（含当天，可不填）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.max))
