"""Forms of the evaluation pages: they parse; the services judge (grades, voters, states, times)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .codes import MAX_CODES
from .models import VotingMode
from .selectors import class_label

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class NewRoundForm(forms.Form):
    """Which group and quarter to evaluate; the round's settings come on the next page."""

    group = GroupChoiceField(label=_("排名组"), queryset=None, to_field_name="code")
    period = forms.ChoiceField(label=_("季度"))

    def __init__(self, *args, groups, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["period"].choices = [(p, p) for p in periods]


class RoundForm(forms.Form):
    """A round's settings: how each of the scheme's evaluator classes takes part, the times, self-rating."""

    opens_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("截止时间"), widget=DATETIME, help_text=_("到时自动停止收票；结束后计票"))
    allow_self = forms.BooleanField(label=_("允许评价本人"), required=False, help_text=_("默认不允许"))

    def __init__(self, *args, scheme_classes: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("不参加")), *VotingMode.choices]
        self.class_names = [c["name"] for c in scheme_classes]
        for c in scheme_classes:
            self.fields[f"class_{c['name']}"] = forms.ChoiceField(
                label=_("%(name)s，权重 %(weight)s") % {"name": class_label(c["name"]), "weight": c["weight"]},
                choices=choices,
                required=False,
            )
        self.order_fields([f"class_{n}" for n in self.class_names])

    def class_fields(self):
        return [self[f"class_{n}"] for n in self.class_names]

    def time_fields(self):
        return [self["opens_at"], self["closes_at"], self["allow_self"]]

    def classes(self) -> list[dict]:
        return [
            {"name": n, "mode": self.cleaned_data[f"class_{n}"]}
            for n in self.class_names
            if self.cleaned_data.get(f"class_{n}")
        ]

    @staticmethod
    def initial_for(round_) -> dict:
        initial = {"opens_at": round_.opens_at, "closes_at": round_.closes_at, "allow_self": round_.allow_self}
        return initial | {f"class_{c['name']}": c["mode"] for c in round_.classes}

    @staticmethod
    def initial_new(scheme_classes: list[dict], now) -> dict:
        from datetime import timedelta

        start = now.replace(second=0, microsecond=0)
        modes = {
            c["name"]: VotingMode.CODE if c["name"] in ("public", "群众") else VotingMode.ACCOUNT
            for c in scheme_classes
        }
        return {"opens_at": start, "closes_at": start + timedelta(days=7)} | {f"class_{n}": m for n, m in modes.items()}


class UserChoices(forms.ModelMultipleChoiceField):
    def __init__(self, *args, voted=frozenset(), **kwargs):
        self.voted = voted
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        label = f"{obj.display_name}（{obj.username}）"
        return f"{label} · {_('已投票')}" if obj.pk in self.voted else label


class VotersForm(forms.Form):
    """The voters of one account class (one form per class)."""

    users = UserChoices(label=_("投票人"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates, voted, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = candidates
        self.fields["users"].voted = voted


class CodesForm(forms.Form):
    evaluator_class = forms.ChoiceField(label=_("类别"))
    count = forms.IntegerField(label=_("数量"), min_value=1, max_value=MAX_CODES, initial=20)

    def __init__(self, *args, classes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluator_class"].choices = [(c, class_label(c)) for c in classes]


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新开启的理由"), widget=forms.Textarea(attrs={"rows": 3}))
    closes_at = forms.DateTimeField(
        label=_("新的截止时间"), widget=DATETIME, required=False, help_text=_("留空则不变；原截止时间已过时必须填写")
    )


class CodeForm(forms.Form):
    code = forms.CharField(label=_("票码"), max_length=40, help_text=_("纸质票码上的 12 位字母数字，可不输入短横线"))


class BallotForm(forms.Form):
    """One ballot: a grade (radio buttons) for each cadre; complete only when submitting."""

    def __init__(self, *args, cadres, grades: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.cadres = cadres
        for cadre in cadres:
            self.fields[f"c_{cadre.code}"] = forms.ChoiceField(
                label=cadre.name, choices=[(g, g) for g in grades], required=False, widget=forms.RadioSelect
            )

    def rows(self):
        return [(cadre, self[f"c_{cadre.code}"]) for cadre in self.cadres]

    def grades(self) -> dict[str, str]:
        return {c.code: self.cleaned_data.get(f"c_{c.code}") or "" for c in self.cadres}
