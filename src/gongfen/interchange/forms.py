from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongfen.accounts.permissions import may_approve_directly

from .excel.columns import KINDS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("表格类型"), choices=[(c, k.label) for c, k in KINDS.items()])
    file = forms.FileField(
        label=gettext_lazy("文件"), help_text=gettext_lazy("Excel（.xlsx）或 CSV（UTF-8 或 GB18030）")
    )
    approve = forms.BooleanField(
        label=gettext_lazy("直接通过"),
        required=False,
        help_text=gettext_lazy("仅工分明细：按「状态」列直接入账（留空为已通过），不再经过审核"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_approve = may_approve_directly(user, set())
        if not self.may_approve:  # the option exists only for who may use it
            del self.fields["approve"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".xlsx", ".csv"):
            raise forms.ValidationError(_("只接受 .xlsx 或 .csv 文件"))
        limit = settings.GONGFEN_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件过大（%(size).1f MB），上限为 %(limit)d MB")
                % {"size": upload.size / 1048576, "limit": limit // 1048576}
            )
        return upload

    def clean(self):
        data = super().clean()
        data["approve"] = bool(data.get("approve")) and data.get("kind") == "entries"
        return data
