"""Forms of the publication pages: they parse; the services in ``objections.py`` decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongfen.ledger.forms import ACCEPT
from gongfen.schemes.models import Category, RankingGroup, Rule

from .objections import Grant


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, entry) -> str:
        return f"{entry.code} · {entry.rule.name} · {entry.occurred_on:%Y-%m-%d} · {entry.get_status_display()}"


class RuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, rule: Rule) -> str:
        return f"{rule.code} {rule.name}"


class ObjectionForm(forms.Form):
    """提出异议: against one's own row (no entry chosen) or one of one's own entries of that quarter."""

    entry = EntryChoiceField(
        queryset=None,
        required=False,
        label=_("异议对象"),
        empty_label=_("本人的排名（不针对某条记录）"),
    )
    text = forms.CharField(
        label=_("异议内容和理由"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明哪里有误、应当如何更正。"),
    )
    evidence = forms.FileField(
        label=_("佐证材料（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF 或图片，不超过 10 MB。"),
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries

    def evidence_content(self) -> tuple[str, bytes] | None:
        upload = self.cleaned_data.get("evidence")
        return (upload.name, upload.read()) if upload else None


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("不予采纳的理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class UpholdForm(forms.Form):
    """采纳: the reason and the correction(s) made through the ledger."""

    reason = forms.CharField(label=_("采纳理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    revoke = forms.BooleanField(label=_("撤销所异议的记录"), required=False)
    grant_rule = RuleChoiceField(
        queryset=Rule.objects.none(), required=False, label=_("补记工分：规则"), empty_label=_("— 不补记 —")
    )
    grant_quantity = forms.DecimalField(
        label=_("数量"),
        required=False,
        max_digits=12,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"min": "0", "step": "any", "inputmode": "decimal"}),
    )
    grant_occurred_on = forms.DateField(
        label=_("发生日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, group: RankingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grant_rule"].queryset = (
            Rule.objects.filter(scheme_id=group.scheme_id)
            .exclude(category=Category.BASE)
            .order_by("sort_order", "code")
        )

    def clean(self):
        data = super().clean()
        if data.get("grant_rule") and not data.get("grant_occurred_on"):
            self.add_error("grant_occurred_on", _("补记工分须填写发生日期"))
        return data

    def grant(self) -> Grant | None:
        data = self.cleaned_data
        if not data.get("grant_rule"):
            return None
        return Grant(data["grant_rule"], data["grant_occurred_on"], data.get("grant_quantity") or 1)


class HolidayYearForm(forms.Form):
    """The whole 节假日与调休 of one year, one day a line: ``日期,上班/休息,名称`` (as in a holiday CSV file)."""

    days = forms.CharField(
        label=_("放假和调休上班日期"),
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
        max_length=20_000,
        help_text=_(
            "每行一天：日期,上班/休息,名称。例如 2027-01-01,休息,元旦。"
            "只需列出与平常不同的日子：工作日放假（休息），周末调休上班（上班）。保存后以本表为该年的全部安排。"
        ),
    )
    source = forms.CharField(
        label=_("依据"),
        required=False,
        max_length=200,
        help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知"),
    )
