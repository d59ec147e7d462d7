"""The what-if form: which scheme, which periods, and the draft (a stored scheme, an upload, or edits here)."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DRAFT_MAX_BYTES = 1024 * 1024  # a scheme's bundle is a few kilobytes


class WhatIfForm(forms.Form):
    SOURCES = [
        ("edit", gettext_lazy("在本页修改分值（不保存）")),
        ("stored", gettext_lazy("已有方案（如派生的新方案草案）")),
        ("upload", gettext_lazy("上传方案数据包文件")),
    ]
    scheme = forms.ChoiceField(label=gettext_lazy("在哪个方案的台账上试算"))
    periods = forms.CharField(
        label=gettext_lazy("期间"), max_length=40, help_text=gettext_lazy("如 2026Q1..2026Q3 或 2026Q1,2026Q3")
    )
    k = forms.IntegerField(label=gettext_lazy("名次变动超过几位时标出"), min_value=0, max_value=1000, initial=3)
    source = forms.ChoiceField(
        label=gettext_lazy("草案来源"), choices=SOURCES, initial="edit", widget=forms.RadioSelect
    )
    stored = forms.ChoiceField(label=gettext_lazy("草案方案"), required=False)
    upload = forms.FileField(label=gettext_lazy("方案数据包（JSON）"), required=False)

    def __init__(self, *args, schemes=(), drafts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [(s.code, f"{s.name}（{s.code}）") for s in schemes]
        self.fields["stored"].choices = [("", "—"), *((s.code, f"{s.name}（{s.code}）") for s in drafts)]

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source == "stored" and not data.get("stored"):
            self.add_error("stored", _("请选择作为草案的方案"))
        if source == "upload":
            upload = data.get("upload")
            if upload is None:
                self.add_error("upload", _("请选择方案数据包文件"))
            elif upload.size > DRAFT_MAX_BYTES:
                self.add_error("upload", _("文件超过 1 MB，不像一个方案数据包"))
            else:
                try:
                    data["bundle"] = json.loads(upload.read().decode("utf-8"))
                except (UnicodeDecodeError, ValueError) as exc:
                    self.add_error("upload", _("文件不是 UTF-8 编码的 JSON：%(e)s") % {"e": exc})
        return data
