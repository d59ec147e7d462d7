from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    """Filters of the audit search (审计查询); every field is optional."""

    since = forms.DateField(label=_("起始日期"), required=False, widget=DATE)
    until = forms.DateField(label=_("截止日期"), required=False, widget=DATE)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.CharField(
        label=_("动作"), required=False, max_length=64, help_text=_("如 entry.approve，或 entry 表示全部")
    )
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=64)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    q = forms.CharField(label=_("摘要或理由"), required=False, max_length=200, widget=forms.SearchInput)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("起始日期晚于截止日期"))
        return data
