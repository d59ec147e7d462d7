"""Forms of the ledger pages: they parse; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongfen.schemes.models import Rule

from . import evidence as evidence_files
from .models import EntryStatus
from .page_selectors import plain

ACCEPT = "application/pdf,image/png,image/jpeg,image/webp"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked by content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


class RuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, rule: Rule) -> str:
        # no gettext call inside an f-string: xgettext would not see it
        unit = rule.unit_label or _("次")
        parts = [f"{rule.code} {rule.name}", _("%(points)s 分/%(unit)s") % {"points": plain(rule.points), "unit": unit}]
        if rule.cap is not None:
            parts.append(_("上限 %(cap)s") % {"cap": plain(rule.cap)})
        if rule.evidence_required:
            parts.append(str(_("须佐证")))
        return " · ".join(parts)


class DeclareForm(forms.Form):
    """申报/录入: one piece of work; the cadre comes from the URL (or is the user)."""

    rule = RuleChoiceField(queryset=Rule.objects.none(), label=_("赋分规则"), empty_label=_("— 请选择 —"))
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    quantity = forms.DecimalField(
        label=_("数量"),
        max_digits=12,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"min": "0", "step": "any", "inputmode": "decimal"}),
    )
    description = forms.CharField(
        label=_("工作说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = MultipleFileField(
        label=_("佐证材料"), required=False
    )  # its help text, with the limits, is set in __init__

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules
        self.fields["evidence"].help_text = _(
            "PDF 或图片（PNG/JPEG/WebP），可多选：最多 %(n)d 个，每个不超过 10 MB，合计不超过 %(mb)d MB"
        ) % {"n": settings.GONGFEN_EVIDENCE_MAX_FILES, "mb": settings.GONGFEN_EVIDENCE_MAX_BYTES // (1024 * 1024)}
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        # with JavaScript, a new rule or date redraws the rule list (the rules depend on the date)
        refresh = {"hx-get": reverse("ledger:declare"), "hx-target": "#rule-field", "hx-swap": "outerHTML"}
        self.fields["rule"].widget.attrs.update(refresh, **{"hx-include": "#id_cadre, #id_occurred_on, #id_rule_q"})
        self.fields["occurred_on"].widget.attrs.update(refresh, **{"hx-include": "#id_cadre, #id_rule, #id_rule_q"})

    def clean_evidence(self):
        files = self.cleaned_data.get("evidence") or []
        most, total = settings.GONGFEN_EVIDENCE_MAX_FILES, settings.GONGFEN_EVIDENCE_MAX_BYTES
        if len(files) > most:
            raise forms.ValidationError(_("佐证材料最多 %(n)d 个"), params={"n": most})
        for item in files:
            if item.size > evidence_files.MAX_BYTES:
                raise forms.ValidationError(_("文件 %(name)s 超过 10 MB，请压缩后再上传"), params={"name": item.name})
        if sum(item.size for item in files) > total:
            raise forms.ValidationError(_("佐证材料合计不能超过 %(mb)d MB"), params={"mb": total // (1024 * 1024)})
        return files

    def evidence_contents(self) -> list[tuple[str, bytes]]:
        return [(item.name, item.read()) for item in self.cleaned_data.get("evidence") or []]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), required=False, max_length=2000)


class DecideForm(ReasonForm):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("退回"))])
    # 人工核定分值: only a rule with a manual range takes one (the service checks the range and the four eyes)
    points = forms.DecimalField(required=False, max_digits=12, decimal_places=4)


class DeclarationFilter(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *EntryStatus.choices])
    period = forms.ChoiceField(label=_("季度"), required=False)

    def __init__(self, *args, periods: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", _("全部季度")), *((p, p) for p in periods)]


class AdjustForm(forms.Form):
    """An adjustment (更正调整) of an entry of a final quarter, posted into the current quarter."""

    sign = forms.TypedChoiceField(
        label=_("调整方向"),
        coerce=int,
        choices=[("-1", _("冲减：按原规则反向计入（原记录多计了）")), ("1", _("补加：按原规则再计入（原记录少计了）"))],
    )
    quantity = forms.DecimalField(label=_("数量"), min_value=Decimal("0.0001"), max_digits=12, decimal_places=4)
    reason = forms.CharField(label=_("更正理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DraftForm(forms.Form):
    """修改草稿: what the author may still change before submitting (the rule stays; delete and declare anew)."""

    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    quantity = forms.DecimalField(
        label=_("数量"),
        max_digits=12,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"min": "0", "step": "any", "inputmode": "decimal"}),
    )
    description = forms.CharField(
        label=_("工作说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
