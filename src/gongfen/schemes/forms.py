"""Forms of the scheme editor.

They only parse: values go to the services as the bundle's strings, so the
bundle check of ``gongfen load`` is what judges them, and its problems come
back onto the field they concern (:func:`add_problems`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongfen.interchange.selectors import dec
from gongfen.interchange.validate import BundleProblem

from .models import Category, PublicationScope

YES_NO = [("", _("否")), ("1", _("是"))]
POSITION_SEPARATORS = re.compile(r"[,，、;；\n]+")
PAIR_SEPARATOR = re.compile(r"\s*[=＝:：]\s*")
RULE_FIELDS = {"unit": "unit_label"}  # bundle key -> form field, where they differ
RULE_PATH = re.compile(r"^\$\.schemes\[0\]\.rules\[(\d+)\]\.(\w+)")
SCHEME_PATH = re.compile(r"^\$\.schemes\[0\]\.(\w+)(?:\.(\w+))?")


def add_problems(form: forms.Form, problems: Iterable[BundleProblem], field_of: Callable[[str], str | None]) -> None:
    """Put each problem of the bundle check on its form field (the message as ``gongfen load`` prints it);
    a problem no field owns goes on top of the form with its JSON path."""
    for problem in problems:
        name = field_of(problem.path)
        if name in form.fields:
            form.add_error(name, problem.message)
        else:
            form.add_error(None, str(problem))


def rule_field_of(index: int) -> Callable[[str], str | None]:
    """Maps ``$.schemes[0].rules[<index>].<key>…`` to the rule form's field."""

    def field_of(path: str) -> str | None:
        match = RULE_PATH.match(path)
        if match is None or int(match.group(1)) != index:
            return None
        if match.group(2) == "manual_points":
            return "manual_max" if path.endswith(".max") else "manual_min"
        return RULE_FIELDS.get(match.group(2), match.group(2))

    return field_of


def params_field_of(path: str) -> str | None:
    """Maps ``$.schemes[0].<key>[.<sub>]…`` to the parameters form's field."""
    match = SCHEME_PATH.match(path)
    if match is None:
        return None
    key, sub = match.groups()
    if key == "weights":
        return "weight_quantitative" if sub == "quantitative" else "weight_qualitative"
    if key == "category_caps":
        return f"cap_{sub}" if sub else None
    if key == "objection_contact":
        return f"objection_{sub}" if sub in ("office", "phone", "address") else None
    if key in ("grades", "evaluator_classes", "tiers", "min_days", "objection_days", "name"):
        return key
    return None


class RuleForm(forms.Form):
    """One rule (赋分规则). On edit the code is shown, not changed: a rule is known by its code."""

    code = forms.CharField(label=_("规则编码"), help_text=_("在本方案内唯一，不含空格和“/”，如 R-TASK"))
    name = forms.CharField(label=_("名称"))
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    points = forms.CharField(label=_("分值"), help_text=_("每单位的分值；扣分类为负数，如 -2"))
    unit_label = forms.CharField(label=_("计量单位"), required=False, help_text=_("次/天/项/个"))
    cap = forms.CharField(label=_("季度上限"), required=False, help_text=_("留空表示不设上限；岗位分不设上限"))
    veto = forms.TypedChoiceField(label=_("一票否决"), choices=YES_NO, coerce=bool, required=False, empty_value=False)
    positions = forms.CharField(
        label=_("适用职务"), required=False, help_text=_("多个职务用逗号或顿号分隔；留空表示所有职务")
    )
    evidence_required = forms.TypedChoiceField(
        label=_("申报须上传佐证"), choices=YES_NO, coerce=bool, required=False, empty_value=False
    )
    manual_min = forms.CharField(
        label=_("人工核定分值下限"),
        required=False,
        help_text=_(
            "与上限同时填写时，审核人（不是本人、不是录入人）可在此范围内核定每单位分值；留空表示只按规则分值计分"
        ),
    )
    manual_max = forms.CharField(label=_("人工核定分值上限"), required=False)
    reason = forms.CharField(label=_("修改说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, editing: bool = False, positions: Iterable[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("规则编码不能修改")
        self.fields["positions"].widget.attrs["list"] = "position-choices"
        self.position_choices = sorted(set(positions))

    @staticmethod
    def initial_for(rule) -> dict[str, Any]:
        return {
            "code": rule.code,
            "name": rule.name,
            "category": rule.category,
            "points": dec(rule.points),
            "unit_label": rule.unit_label,
            "cap": dec(rule.cap) or "",
            "veto": "1" if rule.veto else "",
            "positions": "、".join(rule.positions),
            "evidence_required": "1" if rule.evidence_required else "",
            "manual_min": dec(rule.manual_min) or "",
            "manual_max": dec(rule.manual_max) or "",
        }

    def rule_dict(self) -> dict[str, Any]:
        """The rule as a bundle writes it (optional keys only when set)."""
        data = self.cleaned_data
        item: dict[str, Any] = {
            "code": data["code"].strip(),
            "name": data["name"].strip(),
            "category": data["category"],
            "points": data["points"].strip(),
        }
        if data["unit_label"].strip():
            item["unit"] = data["unit_label"].strip()
        if data["cap"].strip():
            item["cap"] = data["cap"].strip()
        if data["veto"]:
            item["veto"] = True
        positions = [p.strip() for p in POSITION_SEPARATORS.split(data["positions"]) if p.strip()]
        if positions:
            item["positions"] = positions
        if data["evidence_required"]:
            item["evidence_required"] = True
        low, high = data["manual_min"].strip(), data["manual_max"].strip()
        if low or high:
            item["manual_points"] = {"min": low or high, "max": high or low}
        return item


def _pairs(text: str) -> list[tuple[str, str]]:
    """``名称=值`` lines, in order; blank lines skipped."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = PAIR_SEPARATOR.split(line.strip(), maxsplit=1)
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise forms.ValidationError(_("第 %(n)s 行应写成“名称=数值”：%(line)s"), params={"n": number, "line": line})
        pairs.append((parts[0], parts[1]))
    return pairs


def _unique_pairs(text: str) -> dict[str, str]:
    pairs = _pairs(text)
    names = [name for name, _value in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise forms.ValidationError(_("名称重复：%(names)s"), params={"names": "、".join(repeated)})
    return dict(pairs)


def _lines(pairs: Iterable[tuple[str, Any]]) -> str:
    return "\n".join(f"{name}={value}" for name, value in pairs)


def derive_field_of(path: str) -> str | None:
    """Maps ``$.schemes[0].code`` / ``.name`` / ``.year`` to the derive form's field."""
    match = SCHEME_PATH.match(path)
    return match.group(1) if match and match.group(1) in ("code", "name", "year") else None


class SchemeParamsForm(forms.Form):
    """A scheme's parameters: name, weights, grades, evaluator classes, tiers, category caps, min_days."""

    name = forms.CharField(label=_("方案名称"))
    weight_quantitative = forms.CharField(label=_("定量（工分）权重"), help_text=_("如 0.7；两项权重之和须为 1"))
    weight_qualitative = forms.CharField(label=_("定性（评价）权重"), help_text=_("如 0.3"))
    grades = forms.CharField(
        label=_("评价等次"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("每行一个：等次=分值，如 优秀=100")
    )
    evaluator_classes = forms.CharField(
        label=_("评价主体"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个：主体=权重，如 leader=0.4"),
    )
    tiers = forms.CharField(
        label=_("分档"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一档：名称=累计比例，严格递增，最后一档为 1，如 一档=0.2"),
    )
    min_days = forms.IntegerField(label=_("参与排名的最少在岗天数"))
    objection_days = forms.IntegerField(
        label=_("异议期（工作日）"),
        min_value=1,
        max_value=60,
        help_text=_("公示后可提出异议的工作日数（按节假日与调休日历计算），默认 5"),
    )
    objection_office = forms.CharField(
        label=_("异议受理单位"),
        required=False,
        max_length=100,
        help_text=_("印在公示上；留空时为县委组织部（全县方案）或本单位工分考核管理员"),
    )
    objection_phone = forms.CharField(label=_("异议受理电话"), required=False, max_length=50)
    objection_address = forms.CharField(label=_("异议受理地址"), required=False, max_length=200)
    reason = forms.CharField(label=_("修改说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Category.choices:
            self.fields[f"cap_{value}"] = forms.CharField(
                label=_("类别上限：%(category)s") % {"category": label}, required=False, help_text=_("留空表示不设上限")
            )
        self.order_fields([*(n for n in self.fields if n != "reason"), "reason"])

    @property
    def cap_fields(self):
        return [self[f"cap_{value}"] for value in Category.values]

    @property
    def main_fields(self):
        return [self[name] for name in self.fields if not name.startswith("cap_") and name != "reason"]

    @staticmethod
    def initial_for(scheme) -> dict[str, Any]:
        initial = {
            "name": scheme.name,
            "weight_quantitative": dec(scheme.weight_quantitative),
            "weight_qualitative": dec(scheme.weight_qualitative),
            "grades": _lines((g["name"], g["value"]) for g in scheme.grades),
            "evaluator_classes": _lines((c["name"], c["weight"]) for c in scheme.evaluator_classes),
            "tiers": _lines((t["name"], t.get("cumulative", "")) for t in scheme.tiers),
            "min_days": scheme.min_days,
            "objection_days": scheme.objection_days,
            "objection_office": scheme.objection_office,
            "objection_phone": scheme.objection_phone,
            "objection_address": scheme.objection_address,
        }
        for category, cap in scheme.category_caps.items():
            initial[f"cap_{category}"] = cap
        return initial

    def clean_grades(self):
        return _unique_pairs(self.cleaned_data["grades"])

    def clean_evaluator_classes(self):
        return _unique_pairs(self.cleaned_data["evaluator_classes"])

    def clean_tiers(self):
        return [{"name": name, "cumulative": value} for name, value in _pairs(self.cleaned_data["tiers"])]

    def params(self) -> dict[str, Any]:
        """The parameters under the bundle's keys."""
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "weights": {
                "quantitative": data["weight_quantitative"].strip(),
                "qualitative": data["weight_qualitative"].strip(),
            },
            "grades": data["grades"],
            "evaluator_classes": data["evaluator_classes"],
            "tiers": data["tiers"],
            "category_caps": {
                value: data[f"cap_{value}"].strip() for value in Category.values if data[f"cap_{value}"].strip()
            },
            "min_days": data["min_days"],
            "objection_days": data["objection_days"],
            "objection_contact": {
                "office": data["objection_office"].strip(),
                "phone": data["objection_phone"].strip(),
                "address": data["objection_address"].strip(),
            },
        }


class RuleRemoveForm(forms.Form):
    reason = forms.CharField(label=_("删除理由"), widget=forms.Textarea(attrs={"rows": 2}))


class SchemeDeriveForm(forms.Form):
    """The scheme of a unit for a year, copied from a template (a scheme of the unit or a unit above it)."""

    unit = forms.ModelChoiceField(label=_("单位"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    template = forms.ModelChoiceField(label=_("模板方案"), queryset=None, help_text=_("通常为县级模板"))
    code = forms.CharField(label=_("方案编码"), required=False, help_text=_("留空则按建议生成"))
    name = forms.CharField(label=_("方案名称"), required=False, help_text=_("留空则按建议生成"))

    def __init__(self, *args, units, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["template"].queryset = templates
        self.fields["template"].label_from_instance = lambda s: f"{s.name}（{s.code}，{s.year}）"


GROUP_PATH = re.compile(r"^\$\.groups\[0\]\.(\w+)")


def group_field_of(path: str) -> str | None:
    """Maps ``$.groups[0].publish_scope`` / ``publish_units[…]`` to the publication form's field."""
    match = GROUP_PATH.match(path)
    return match.group(1) if match and match.group(1) in ("publish_scope", "publish_units") else None


class GroupPublicationForm(forms.Form):
    """Who sees a group's published ranking (公示范围), and the named units when the scope is 指定单位."""

    publish_scope = forms.ChoiceField(label=_("公示范围"), choices=PublicationScope.choices)
    publish_units = forms.CharField(
        label=_("指定单位"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("公示范围为“指定单位”时填写单位编码（含下级单位），每行一个或以逗号分隔"),
    )
    reason = forms.CharField(label=_("修改说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @staticmethod
    def initial_for(group) -> dict[str, Any]:
        units = "\n".join(sorted(u.code for u in group.publish_units.all()))
        return {"publish_scope": group.publish_scope, "publish_units": units}

    def clean_publish_units(self) -> list[str]:
        codes = re.split(r"[\s,，、]+", self.cleaned_data["publish_units"])
        return list(dict.fromkeys(code for code in codes if code))
