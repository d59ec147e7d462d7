"""Forms of the grades pages: they parse, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import influence
from .models import FollowUpAction, FollowUpList, GradeKind, NotGradedReason, PoolAt, Population, Rounding

REASON = forms.Textarea(attrs={"rows": 2})


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    population = forms.ChoiceField(label=_("人员类别"), choices=Population.choices)
    kind = forms.ChoiceField(label=_("考核类别"), choices=GradeKind.choices)
    share = forms.DecimalField(label=_("优秀/好的比例（如 0.2）"), min_value=0, max_value=1, decimal_places=4)
    rounding = forms.ChoiceField(label=_("名额取整"), choices=Rounding.choices)
    min_seats = forms.IntegerField(label=_("每单位最少名额"), min_value=0, initial=0)
    pool_below = forms.IntegerField(label=_("不足此人数的单位合并计算"), min_value=0, initial=0)
    pool_at = forms.ChoiceField(label=_("合并到"), choices=PoolAt.choices)
    publicity_days = forms.IntegerField(label=_("公示期（工作日）"), min_value=1, initial=5)
    reviewable = forms.CharField(label=_("可申请复核的等次（逗号分隔）"), initial="不称职", max_length=100)
    units = forms.CharField(label=_("单位代码（逗号分隔）"), max_length=4000)


class SeatsForm(forms.Form):
    unit = forms.CharField(label=_("单位代码"), max_length=64)
    seats = forms.IntegerField(label=_("名额"), min_value=0)
    reason = forms.CharField(label=_("理由"), widget=REASON, max_length=2000)


class SanctionForm(forms.Form):
    cadre = forms.CharField(label=_("干部代码"), max_length=64)
    kind = forms.ChoiceField(label=_("种类"), choices=[(r.kind, r.label) for r in influence.DEFAULTS])
    decided_on = forms.DateField(label=_("决定日期"))
    lifted_on = forms.DateField(label=_("解除日期"), required=False)
    document = forms.CharField(label=_("文号"), max_length=200, required=False)


class NotGradedForm(forms.Form):
    cadre = forms.CharField(label=_("干部代码"), max_length=64)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    reason = forms.ChoiceField(label=_("原因"), choices=NotGradedReason.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class InfluenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("种类"), choices=[(r.kind, r.label) for r in influence.DEFAULTS])
    first = forms.CharField(label=_("当年影响"), max_length=100)
    later = forms.CharField(label=_("以后年度影响"), max_length=100, required=False)
    years = forms.IntegerField(label=_("影响的年度数"), min_value=1)
    pingshi_months = forms.IntegerField(label=_("平时考核影响月数"), min_value=0)
    pingshi_bars = forms.CharField(label=_("平时考核不得确定的等次"), max_length=100, required=False)


class SheetForm(forms.Form):
    plan = forms.IntegerField(widget=forms.HiddenInput)
    unit = forms.CharField(label=_("单位代码"), max_length=64)
    period = forms.CharField(label=_("考核期（如 2026Y、2026Q3）"), max_length=8)
    group = forms.CharField(label=_("排名组代码"), max_length=64, required=False)


class AdjustForm(forms.Form):
    cadre = forms.CharField(label=_("干部代码"), max_length=64)
    grade = forms.CharField(label=_("调整为"), max_length=10)
    reason = forms.CharField(label=_("理由"), widget=REASON, max_length=2000)


class ReviewForm(forms.Form):
    text = forms.CharField(label=_("申请复核的理由"), widget=REASON, max_length=4000)


class DecideForm(forms.Form):
    grade = forms.CharField(label=_("复核后的等次"), max_length=10)
    reason = forms.CharField(label=_("复核意见"), widget=REASON, max_length=2000)


class FollowUpForm(forms.Form):
    cadre = forms.CharField(label=_("干部代码"), max_length=64)
    list_kind = forms.ChoiceField(label=_("名单"), choices=FollowUpList.choices)
    action = forms.ChoiceField(label=_("处理"), choices=FollowUpAction.choices)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
