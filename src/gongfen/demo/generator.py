"""A deterministic generator of a believable demo county (开化县) as a ``gongfen-bundle/1`` dict.

The structure (units, schemes, groups) does not depend on the seed, so unit, scheme and group codes are
stable; people, posts, ledger entries and ballots are drawn from ``random.Random`` instances derived from
the seed. Only the standard library is used, no global random state and no clock: the same arguments
always give the same bundle, byte for byte once dumped with ``sort_keys=True``.

The story's "today" is 2026-11-25: entries run from 1 January to 24 November 2026 (recent ones still
``pending``), and ballots exist for the quarters already evaluated, 2026Q1 to 2026Q3.

Townships and villages are real (``kaihua-units.json``); every person is synthetic.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources

__all__ = ["build_demo_bundle"]

Progress = Callable[[str, int, int], None]

FORMAT = "gongfen-bundle/1"
YEAR = 2026
TODAY = date(2026, 11, 25)
LAST_ENTRY_DAY = TODAY - timedelta(days=1)
YEAR_START = date(YEAR, 1, 1)
QUARTERS: tuple[tuple[str, date, date], ...] = (
    (f"{YEAR}Q1", date(YEAR, 1, 1), date(YEAR, 3, 31)),
    (f"{YEAR}Q2", date(YEAR, 4, 1), date(YEAR, 6, 30)),
    (f"{YEAR}Q3", date(YEAR, 7, 1), date(YEAR, 9, 30)),
    (f"{YEAR}Q4", date(YEAR, 10, 1), date(YEAR, 12, 31)),
)
EVALUATED_QUARTERS = QUARTERS[:3]
MIN_DAYS = 30

COUNTY = "KH"
TASK_FORCE = "KH-SK"
TEMPLATE = f"KH-TPL-{YEAR}"
HEADS_SCHEME = f"KH-HEAD-{YEAR}"
SECS_SCHEME = f"KH-SEC-{YEAR}"

# Positions: a small fixed set.
SEC = "党委书记"
HEAD = "乡镇长"
DEPUTY = "副乡镇长"
MIDDLE = "中层干部"
GENERAL = "一般干部"
DEPT_LEAD = "部门正职"
DEPT_DEPUTY = "部门副职"
TF_LEAD = "组长"
TF_MEMBER = "组员"
STATIONED = "驻村干部"

# name in the units file -> (code, staff size at 1200 cadres, offices)
TOWNSHIPS: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "芹阳办事处": ("QY", 82, ("DZ", "JJ", "SH", "WL")),
    "华埠镇": ("HB", 90, ("DZ", "JJ", "SH", "PA")),
    "马金镇": ("MJ", 72, ("DZ", "JJ", "NY")),
    "村头镇": ("CT", 60, ("DZ", "JJ", "SH")),
    "池淮镇": ("CHH", 56, ("DZ", "JJ", "NY")),
    "桐村镇": ("TC", 58, ("DZ", "JJ", "SH", "PA")),
    "杨林镇": ("YL", 62, ("DZ", "NY", "SH")),
    "苏庄镇": ("SZ", 64, ("DZ", "NY", "WL")),
    "齐溪镇": ("QX", 46, ("DZ", "JJ", "WL")),
    "音坑乡": ("YK", 52, ("DZ", "SH")),
    "中村乡": ("ZC", 44, ("DZ", "NY")),
    "长虹乡": ("CHG", 48, ("DZ", "SH", "WL")),
    "林山乡": ("LS", 42, ("DZ", "NY")),
    "何田乡": ("HT", 50, ("DZ", "NY", "SH")),
    "大溪边乡": ("DXB", 44, ("DZ", "SH")),
}
OFFICE_NAMES = {
    "DZ": "党政办",
    "JJ": "经济发展办",
    "SH": "社会事务办",
    "WL": "文旅办",
    "NY": "农业农村办",
    "PA": "平安法治办",
}
TOWNSHIP_KINDS = {"subdistrict": "subdistrict", "town": "township", "township": "township"}

# name in the units file -> (code, staff size at 1200 cadres)
DEPARTMENTS: dict[str, tuple[str, int]] = {
    "县委组织部": ("ZZB", 24),
    "县委办公室": ("XWB", 26),
    "县政府办公室": ("ZFB", 28),
    "县发展和改革局": ("FGJ", 30),
    "县经济和信息化局": ("JXJ", 26),
    "县财政局": ("CZJ", 28),
    "县农业农村局": ("NYJ", 34),
    "县自然资源和规划局": ("ZGJ", 32),
    "县住房和城乡建设局": ("JSJ", 30),
    "县交通运输局": ("JTJ", 26),
    "县水利局": ("SLJ", 22),
    "县文化和广电旅游体育局": ("WGLT", 24),
    "县供销合作社": ("GXS", 18),
    "县教育局": ("JYJ", 30),
    "县卫生健康局": ("WJJ", 30),
}
N_DEPARTMENTS = 12

TASK_FORCE_NAME = "开化水库征迁指挥中心"
# working groups of the command centre: (code suffix, name, village they work in)
WORKING_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("LL1", "岭里一组", "岭里村"),
    ("LL2", "岭里二组", "岭里村"),
    ("LL3", "岭里三组", "岭里村"),
    ("LM1", "龙门一组", "龙门村"),
    ("LM2", "龙门二组", "龙门村"),
    ("ZX1", "左溪一组", "左溪村"),
    ("DL1", "大龙一组", "大龙村"),
    ("JY1", "江源一组", "江源村"),
)

# --------------------------------------------------------------------------------------------- schemes

# (code, name, category, points, unit, cap, positions, veto)
_R = tuple[str, str, str, str, str | None, str | None, tuple[str, ...] | None, bool]
TEMPLATE_RULES: tuple[_R, ...] = (
    ("B-GEN", "岗位分（一般干部）", "base", "60", None, None, (GENERAL,), False),
    ("B-MID", "岗位分（中层干部）", "base", "70", None, None, (MIDDLE,), False),
    ("B-DEP", "岗位分（副乡镇长）", "base", "75", None, None, (DEPUTY,), False),
    ("B-HEAD", "岗位分（乡镇长）", "base", "80", None, None, (HEAD,), False),
    ("B-SEC", "岗位分（党委书记）", "base", "80", None, None, (SEC,), False),
    ("B-DDP", "岗位分（部门副职）", "base", "75", None, None, (DEPT_DEPUTY,), False),
    ("B-DLD", "岗位分（部门正职）", "base", "80", None, None, (DEPT_LEAD,), False),
    ("Z-DAY", "驻村工作日", "stationing", "0.5", "天", "20", None, False),
    ("Z-VISIT", "入户走访", "stationing", "0.2", "户", "6", None, False),
    ("R-TASK", "完成交办事项", "routine", "1.5", "项", None, None, False),
    ("R-INFO", "信息报送", "routine", "0.5", "篇", "5", None, False),
    ("R-DUTY", "值班值守", "routine", "0.5", "天", "4", None, False),
    ("R-PRAISE", "工作获县级以上表扬", "routine", "3", "次", None, None, False),
    ("S-RES", "水库征迁攻坚", "special", "4", "项", "12", None, False),
    ("S-INV", "招商引资落地项目", "special", "6", "个", None, None, False),
    ("S-PROJ", "项目争取", "special", "3", "个", "9", None, False),
    ("S-EMER", "急难险重任务", "special", "2", "次", "8", None, False),
    ("D-ERR", "工作差错", "deduction", "-2", "次", None, None, False),
    ("D-SUP", "督查通报", "deduction", "-3", "次", None, None, False),
    ("D-ATT", "考勤违规", "deduction", "-1", "次", None, None, False),
    ("D-VETO", "违纪违法（一票否决）", "deduction", "-50", None, None, None, True),
)
TOWNSHIP_BASE = ("B-GEN", "B-MID", "B-DEP", "B-HEAD", "B-SEC")
DEPARTMENT_BASE = ("B-GEN", "B-MID", "B-DDP", "B-DLD")
# rules a tailored scheme may never drop (the generator's entries rely on them)
PROTECTED_RULES = ("Z-DAY", "R-TASK", "S-RES", "D-ERR", "D-SUP", "D-ATT", "D-VETO")

LOCAL_RULES: dict[str, tuple[str, str, str, str, str]] = {
    # code: (name, category, points, unit, cap)
    "L-FIRE": ("森林防火巡查", "routine", "0.5", "次", "4"),
    "L-WASTE": ("垃圾分类督导", "routine", "0.5", "次", "4"),
    "L-RIVER": ("河长制巡河", "routine", "0.3", "次", "3"),
    "L-TEA": ("茶产业服务", "routine", "1", "次", "5"),
    "L-TOUR": ("文旅项目服务", "special", "2", "项", "6"),
    "L-FUTURE": ("未来乡村建设服务", "special", "3", "项", "9"),
    "L-PARK": ("密胺产业园项目服务", "special", "3", "项", "12"),
    "L-NP": ("钱江源国家公园协同保护", "special", "2", "项", "6"),
    "L-FISH": ("清水鱼产业服务", "special", "2", "项", "6"),
    "L-ENT": ("企业服务走访", "routine", "0.5", "家", "5"),
    "L-DOC": ("重要文稿起草", "routine", "1", "篇", "6"),
    "L-PRE": ("项目前期审批服务", "routine", "0.5", "个", "5"),
    "L-AUDIT": ("预算绩效评审", "routine", "0.5", "项", "5"),
    "L-FARM": ("高标准农田建设督导", "routine", "0.5", "次", "5"),
    "L-LAND": ("耕地保护巡查", "routine", "0.5", "次", "5"),
    "L-SAFE": ("工程质量安全巡查", "routine", "0.5", "次", "5"),
    "L-ROAD": ("道路安全隐患排查", "routine", "0.5", "次", "5"),
    "L-DAM": ("水库山塘安全巡查", "routine", "0.5", "次", "5"),
    "L-EVENT": ("文体活动保障", "routine", "1", "次", "6"),
    "L-COOP": ("农资保供服务", "routine", "0.5", "次", "5"),
    "L-SCHOOL": ("校园安全检查", "routine", "0.5", "次", "5"),
    "L-HEALTH": ("基层医疗服务督导", "routine", "0.5", "次", "5"),
}

# 量体裁衣: how each unit's scheme departs from the county template.
TAILORING: dict[str, dict] = {
    "QY": {"add": ("L-FUTURE", "L-WASTE"), "set": {"R-INFO": {"points": "0.8"}}},
    "HB": {"add": ("L-ENT",), "set": {"S-INV": {"points": "8"}}},
    "MJ": {"add": ("L-TEA", "L-FIRE")},
    "CT": {"add": ("L-FIRE",), "set": {"Z-DAY": {"cap": "25"}}},
    "CHH": {"add": ("L-WASTE",), "set": {"R-TASK": {"points": "2"}}},
    "TC": {"add": ("L-PARK",), "set": {"S-INV": {"points": "8"}}},
    "YL": {"add": ("L-FIRE", "L-RIVER")},
    "SZ": {"add": ("L-NP", "L-FIRE"), "drop": ("S-INV",)},
    "QX": {"add": ("L-TOUR", "L-FIRE"), "set": {"S-RES": {"cap": "16"}}, "category_caps": {"special": "25"}},
    "YK": {"add": ("L-WASTE",), "set": {"D-ATT": {"points": "-2"}}},
    "ZC": {"add": ("L-RIVER",), "drop": ("R-PRAISE",)},
    "CHG": {"add": ("L-TOUR", "L-FIRE"), "drop": ("S-INV",)},
    "LS": {"add": ("L-RIVER",), "set": {"Z-DAY": {"points": "0.6"}}},
    "HT": {"add": ("L-FISH",), "drop": ("S-PROJ",)},
    "DXB": {"add": ("L-FIRE",), "drop": ("S-INV",), "set": {"Z-DAY": {"cap": "25"}}},
    "ZZB": {"add": ("L-DOC",), "drop": ("S-INV", "Z-VISIT"), "weights": ("0.6", "0.4")},
    "XWB": {"add": ("L-DOC",), "drop": ("S-INV",), "weights": ("0.6", "0.4")},
    "ZFB": {"add": ("L-DOC",), "drop": ("S-INV",)},
    "FGJ": {"add": ("L-PRE",), "set": {"S-PROJ": {"points": "4", "cap": "12"}}},
    "JXJ": {"add": ("L-ENT",), "set": {"S-INV": {"points": "8"}}},
    "CZJ": {"add": ("L-AUDIT",), "drop": ("S-INV",)},
    "NYJ": {"add": ("L-FARM",), "set": {"Z-DAY": {"cap": "25"}}},
    "ZGJ": {"add": ("L-LAND",), "set": {"S-RES": {"cap": "16"}}},
    "JSJ": {"add": ("L-SAFE",)},
    "JTJ": {"add": ("L-ROAD",), "drop": ("Z-VISIT",)},
    "SLJ": {"add": ("L-DAM",), "set": {"S-RES": {"cap": "16"}}},
    "WGLT": {"add": ("L-EVENT",), "set": {"S-INV": {"points": "5"}}},
    "GXS": {"add": ("L-COOP",)},
    "JYJ": {"add": ("L-SCHOOL",), "drop": ("S-INV",)},
    "WJJ": {"add": ("L-HEALTH",), "drop": ("S-INV",)},
}

GRADES = {"优秀": "100", "良好": "85", "一般": "70", "较差": "50"}
GRADE_LADDER = ("优秀", "良好", "一般", "较差")
TEMPLATE_TIERS = (("一档", "0.2"), ("二档", "0.7"), ("三档", "0.95"), ("四档", "1"))
PEER_TIERS = (("一档", "0.35"), ("二档", "0.6"), ("三档", "0.8"), ("四档", "1"))

HEAD_RULES: tuple[_R, ...] = (
    ("K-BASE", "岗位分", "base", "50", None, None, (HEAD,), False),
    ("K-PROJ", "重点项目推进", "special", "8", "个", None, None, False),
    ("K-INV", "招商引资", "special", "10", "个", "30", None, False),
    ("K-GDP", "规上工业增加值增速达标", "routine", "5", None, None, None, False),
    ("K-ROUT", "县委县政府交办事项", "routine", "2", "项", "10", None, False),
    ("K-LATE", "督查通报", "deduction", "-3", "次", None, None, False),
    ("K-VETO", "违纪违法（一票否决）", "deduction", "-50", None, None, None, True),
)
SEC_RULES: tuple[_R, ...] = (
    ("P-BASE", "岗位分", "base", "50", None, None, (SEC,), False),
    ("P-PARTY", "基层党建示范创建", "special", "6", "个", "18", None, False),
    ("P-PROJ", "重点项目推进", "special", "8", "个", None, None, False),
    ("P-INV", "招商引资", "special", "10", "个", "30", None, False),
    ("P-COMM", "村集体经济增收", "routine", "3", "村", "12", None, False),
    ("P-STAB", "信访积案化解", "routine", "2", "件", "8", None, False),
    ("P-LATE", "督查通报", "deduction", "-3", "次", None, None, False),
    ("P-VETO", "违纪违法（一票否决）", "deduction", "-50", None, None, None, True),
)

# ---------------------------------------------------------------------------------------- ledger rates

# expected entries per 30 days for a cadre of diligence 1
RATE_ROUTINE = 2.3
RATE_SPECIAL = 0.3
RATE_DEDUCTION = 0.13
RATE_CASUAL_STATIONING = {"township": 0.45, "department": 0.15}
RATE_STATIONED_DAYS = 2.2
RATE_STATIONED_VISITS = 1.0
RATE_RESERVOIR = 1.8
# position -> (routine, special, deduction) factors, in the cadre's unit scheme
POSITION_FACTORS = {
    SEC: (0.5, 0.3, 0.4),
    HEAD: (0.5, 0.3, 0.4),
    DEPUTY: (1.0, 1.6, 0.8),
    DEPT_LEAD: (0.6, 1.2, 0.5),
    DEPT_DEPUTY: (0.9, 1.4, 0.8),
    MIDDLE: (1.05, 1.1, 1.0),
    GENERAL: (1.0, 0.9, 1.0),
}
RULE_WEIGHTS = {
    "R-TASK": 6.0,
    "R-INFO": 3.0,
    "R-DUTY": 2.0,
    "R-PRAISE": 0.4,
    "S-INV": 0.5,
    "S-PROJ": 1.0,
    "S-EMER": 1.5,
    "D-ERR": 3.0,
    "D-SUP": 1.2,
    "D-ATT": 2.0,
    "Z-DAY": 3.0,
    "Z-VISIT": 2.0,
}
LOCAL_RULE_WEIGHT = {"routine": 2.0, "special": 1.5}
QUANTITIES: dict[str, tuple[int, int]] = {
    "R-TASK": (1, 3),
    "R-INFO": (1, 2),
    "R-DUTY": (1, 3),
    "S-RES": (1, 3),
    "S-PROJ": (1, 2),
    "S-EMER": (1, 2),
    "Z-VISIT": (3, 12),
    "K-PROJ": (1, 2),
    "K-ROUT": (1, 3),
    "P-PROJ": (1, 2),
    "P-COMM": (1, 2),
    "P-STAB": (1, 2),
}
CASUAL_DAYS = ("0.5", "1", "1", "1", "2", "2", "3")
# county peer schemes: (rule, expected entries per 30 days at diligence 1); deductions scale inversely
PEER_EVENTS: dict[str, tuple[tuple[str, float], ...]] = {
    HEADS_SCHEME: (("K-PROJ", 0.6), ("K-INV", 0.25), ("K-ROUT", 1.2), ("K-GDP", 0.3), ("K-LATE", 0.12)),
    SECS_SCHEME: (
        ("P-PARTY", 0.35),
        ("P-PROJ", 0.5),
        ("P-INV", 0.2),
        ("P-COMM", 0.5),
        ("P-STAB", 0.8),
        ("P-LATE", 0.12),
    ),
}

# ------------------------------------------------------------------------------------------------ names

SURNAMES = (
    "汪汪汪汪余余余余徐徐徐方方方吴吴吴程程程叶叶郑郑姜姜傅傅邱邱鲁鲁饶饶詹詹占占"
    "王王张张李李刘陈陈周杨黄胡朱江戴祝钱洪邵严金华柴童许宋何夏姚"
)
GIVEN_CHARS = (
    "建国华军明伟芳丽红勇强涛斌磊婷燕俊杰鹏辉晓文海平林峰霞慧丹琳洁敏静颖宇浩凯波飞亮超倩雯瑶晨昊阳"
    "欣怡佳雅睿哲航新志春秋德荣根松樟富源清卫东青云龙忠良卿秀英兰桂珍玲旭锋剑锦琪彬璐晖炜"
)
# people named in the newspaper report and a few very famous names: never generated
_REPORTED_NAMES = "朱福存 徐祝安 方晓路 毛献明 汪黎云 郑胜军 齐忠伟 方明 邓柳青 朱胜萱 姚雪 吴雅璐 童亚文"
_FAMOUS_NAMES = "周恩来 刘德华 王菲 李娜 张杰 杨洋 周杰 刘翔 王杰 李明 张伟 王伟 王芳 李伟"
AVOID_NAMES = frozenset(f"{_REPORTED_NAMES} {_FAMOUS_NAMES}".split())

# --------------------------------------------------------------------------------------------- ledger text

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "Z-DAY": ("在{village}开展驻村工作{n}天", "驻{village}蹲点{n}天", "下沉{village}走村入户{n}天"),
    "Z-VISIT": ("走访{village}农户{n}户", "入户走访{village}困难群众{n}户"),
    "R-TASK": ("完成{task}", "完成{task}等{n}项交办事项"),  # "等{n}项" only when n > 1
    "R-INFO": ("报送信息《{headline}》", "信息《{headline}》被县委办录用"),
    "R-DUTY": ("节假日值班{n}天", "应急值班{n}天", "信访接待值班{n}天"),
    "R-PRAISE": ("{task_short}工作获县委县政府通报表扬", "{task_short}工作获市级部门肯定"),
    "S-RES": (
        "完成{tfv}征迁入户测算",
        "核对{tfv}搬迁安置户选房数据{n}户",
        "完成{tfv}房屋评估结果公示",
        "签订{tfv}征迁安置协议{n}户",
        "参加水库征迁中心选房试算工作",
    ),
    "S-INV": ("引进{industry}项目落地", "{industry}项目签约落地"),
    "S-PROJ": ("争取{fund}",),
    "S-EMER": (
        "参与防汛抗台转移群众",
        "参与森林火情扑救",
        "参与地质灾害隐患点应急处置",
        "参与低温雨雪冰冻天气保通保畅",
    ),
    "D-ERR": ("{task_short}数据报送差错", "公文格式错误被退回", "台账资料缺失"),
    "D-SUP": ("重点工作进度滞后被县督查室通报", "信访件办理超期被通报", "人居环境问题被督查通报"),
    "D-ATT": ("无故迟到早退", "值班期间脱岗", "未按规定履行请假手续"),
    "D-VETO": ("违反中央八项规定精神受到党纪处分", "酒后驾驶机动车受到政务处分", "违规收受礼品礼金受到处分"),
    "L-FIRE": ("{village}森林防火巡查", "节假日森林防火值守巡查", "重点林区防火隐患排查"),
    "L-WASTE": ("督导{village}垃圾分类", "垃圾分类定时定点督导"),
    "L-RIVER": ("巡查责任河段", "巡查{village}周边河道"),
    "L-TEA": ("开化龙顶茶春茶收购服务", "茶园病虫害防治指导"),
    "L-TOUR": ("服务{village}民宿提升项目", "保障钱江源头文旅活动", "对接乡村旅游招商项目"),
    "L-FUTURE": ("密赛未来乡村实验区场景建设", "下淤村户外公园项目服务", "桃溪村业态招引服务"),
    "L-PARK": ("密胺产业园二期项目控规编制服务", "密胺产业园二期土地征收政策处理", "园区入驻企业用工对接"),
    "L-NP": ("钱江源国家公园联合巡护", "国家公园周边村庄生态补偿核对"),
    "L-FISH": ("清水鱼养殖户技术指导", "清水鱼品牌推广活动服务"),
    "L-ENT": ("走访服务企业{n}家", "帮助企业解决用工难题"),
    "L-DOC": ("起草{task_short}工作汇报材料", "起草领导讲话稿"),
    "L-PRE": ("{industry}项目立项审批服务", "重大项目前期手续代办"),
    "L-AUDIT": ("部门预算绩效评审", "专项资金绩效评价"),
    "L-FARM": ("高标准农田建设现场督导", "粮食生产功能区巡查"),
    "L-LAND": ("耕地“非农化”图斑核查", "卫片执法图斑实地核查"),
    "L-SAFE": ("在建工程质量安全巡查", "农村自建房安全排查"),
    "L-ROAD": ("国省道安全隐患排查", "农村公路安全隐患排查"),
    "L-DAM": ("汛前水库山塘安全巡查", "小型水库安全鉴定现场核查"),
    "L-EVENT": ("保障钱江源马拉松赛事", "保障根缘文化节活动"),
    "L-COOP": ("春耕农资保供服务", "农资市场检查"),
    "L-SCHOOL": ("开学季校园安全检查", "校车安全检查"),
    "L-HEALTH": ("乡镇卫生院服务督导", "村卫生室规范化建设督导"),
    "K-PROJ": ("推进{project}", "{project}取得节点进展"),
    "K-INV": ("招引{industry}项目签约落地",),
    "K-GDP": ("规上工业增加值增速达到序时目标",),
    "K-ROUT": ("完成县委县政府交办事项{n}项",),
    "K-LATE": ("{task_short}工作进度滞后被县委督查室通报",),
    "P-PARTY": ("创建基层党建示范点", "打造红色根脉强基示范村"),
    "P-PROJ": ("推进{project}", "{project}取得节点进展"),
    "P-INV": ("招引{industry}项目签约落地",),
    "P-COMM": ("推动{n}个村集体经济增收达标",),
    "P-STAB": ("化解信访积案{n}件",),
    "P-LATE": ("{task_short}工作进度滞后被县委督查室通报",),
}
WORDS: dict[str, tuple[str, ...]] = {
    "task_township": (
        "人居环境整治验收台账",
        "秋冬季森林防火宣传",
        "防汛物资清点入库",
        "城乡居民医保参保动员",
        "村级财务审计配合",
        "党员教育培训组织",
        "低保对象入户核查",
        "安全生产大检查",
        "农村房屋安全隐患排查",
        "共富工坊台账整理",
        "退役军人信息采集",
        "秸秆禁烧巡查",
        "城乡居民养老保险资格认证",
    ),
    "task_department": (
        "年度预算编制材料",
        "重点项目月报汇总",
        "专项督查报告起草",
        "政策文件合法性审查",
        "数字化改革场景材料",
        "民生实事项目进度统计",
        "人大建议政协提案答复",
        "行政审批事项梳理",
        "营商环境问题清单整改",
    ),
    "task_short": ("安全生产", "人居环境整治", "防汛防台", "森林防火", "信访维稳", "共同富裕", "项目推进", "乡村振兴"),
    "headline": (
        "“工分+排名”激发干部干事热情",
        "开化水库征迁工作一线见闻",
        "秋收冬种工作有序推进",
        "优化营商环境的几点做法",
        "共富工坊带动村民家门口就业",
        "党建引领基层治理新探索",
    ),
    "industry": (
        "密胺制品",
        "茶叶深加工",
        "精品民宿",
        "竹木加工",
        "户外运动营地",
        "中药材种植",
        "数字经济",
        "清水鱼养殖",
    ),
    "fund": (
        "省级农业产业化项目资金",
        "中央预算内投资项目",
        "山区26县高质量发展专项资金",
        "省级未来乡村建设补助",
        "地方政府专项债券项目",
        "省级水利建设资金",
    ),
    "project": (
        "美丽城镇建设项目",
        "农村供水保障工程",
        "小城镇环境综合整治提升",
        "未来乡村创建",
        "乡村振兴示范带建设",
        "标准地出让项目",
        "低效用地再开发",
        "开化水库移民安置点建设",
    ),
}


# ----------------------------------------------------------------------------------------- data model


@dataclass
class _Post:
    unit: str
    position: str
    start: date
    end: date | None
    role: str  # "home", "task" (working group) or "village" (stationed)


@dataclass
class _Person:
    code: str
    name: str
    diligence: float
    kind: str  # "township" or "department"
    home: str  # township or department code of the first home post
    posts: list[_Post] = field(default_factory=list)

    def home_posts(self) -> list[_Post]:
        return [p for p in self.posts if p.role == "home"]

    def only_home(self) -> _Post:
        (post,) = self.home_posts()
        return post


@dataclass
class _Township:
    code: str
    name: str
    kind: str
    offices: list[str]
    villages: list[tuple[str, str]]  # (code, name)
    size_weight: int


@dataclass
class _Department:
    code: str
    name: str
    size_weight: int


class _Lazy(dict):
    """Placeholder values for description templates, drawn only when a template asks for them."""

    def __init__(self, rng: random.Random, values: dict[str, str], task_kind: str):
        super().__init__(values)
        self.rng = rng
        self.task_kind = task_kind

    def __missing__(self, key: str) -> str:
        pool = WORDS[f"task_{self.task_kind}"] if key == "task" else WORDS[key]
        value = self.rng.choice(pool)
        self[key] = value
        return value


# -------------------------------------------------------------------------------------------- helpers


def _rng(seed: int, purpose: str) -> random.Random:
    # str seeds are hashed with SHA-512 by random.Random, independent of PYTHONHASHSEED
    return random.Random(f"gongfen-demo:{seed}:{purpose}")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _allocate(total: int, weights: Sequence[int], minimum: int) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), each share at least ``minimum``."""
    s = sum(weights)
    shares = [max(minimum, total * w // s) for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % s), i))
    diff, i = total - sum(shares), 0
    while diff > 0:
        shares[remainders[i % len(shares)]] += 1
        diff, i = diff - 1, i + 1
    while diff < 0:
        candidates = [j for j in range(len(shares)) if shares[j] > minimum]
        if not candidates:
            break
        j = max(candidates, key=lambda j: (shares[j], -j))
        shares[j] -= 1
        diff += 1
    return shares


def _weighted_sample(rng: random.Random, items: Sequence, weights: Sequence[float], k: int) -> list:
    """``k`` distinct items, drawn with probability proportional to weight (Efraimidis–Spirakis)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
    keyed.sort(key=lambda t: (-t[0], t[1]))
    return [items[i] for _, i in keyed[:k]]


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _past_start(rng: random.Random, mean_years: float, earliest: date = date(2004, 3, 1)) -> date:
    day = date(2025, 12, 20) - timedelta(days=int(rng.expovariate(1.0 / (mean_years * 365))))
    return max(day, earliest)


def _mid_quarter_day(rng: random.Random, quarter: int) -> date:
    """A day well inside a 2026 quarter (Q4: before the story's today)."""
    _, start, end = QUARTERS[quarter]
    if quarter == 3:
        return _random_day(rng, date(YEAR, 10, 12), date(YEAR, 11, 20))
    return _random_day(rng, start + timedelta(days=12), end - timedelta(days=12))


def _settled(person: _Person, start: date) -> date:
    """A concurrent post starts no earlier than a month after the cadre took up the home post."""
    return max(start, person.only_home().start + timedelta(days=30))


def _overlap(a0: date, a1: date, b0: date, b1: date) -> tuple[date, date] | None:
    lo, hi = max(a0, b0), min(a1, b1)
    return (lo, hi) if lo <= hi else None


def _rule_dict(r: _R) -> dict:
    code, name, category, points, unit, cap, positions, veto = r
    out: dict = {"code": code, "name": name, "category": category, "points": points}
    if unit is not None:
        out["unit"] = unit
    if cap is not None:
        out["cap"] = cap
    if positions is not None:
        out["positions"] = list(positions)
    if veto:
        out["veto"] = True
    return out


# -------------------------------------------------------------------------------------------- builder


class _Builder:
    def __init__(self, seed: int, cadres: int, progress: Progress | None):
        if cadres < 1:
            raise ValueError("cadres must be at least 1")
        self.seed = seed
        self.target = cadres
        self.progress = progress
        self.units: list[dict] = []
        self.parent: dict[str, str | None] = {}
        self.ancestors: dict[str, frozenset[str]] = {}
        self.townships: list[_Township] = []
        self.departments: list[_Department] = []
        self.working_groups: list[tuple[str, str, str]] = []  # (code, name, village)
        self.schemes: list[dict] = []
        self.scheme_rules: dict[str, dict[str, dict]] = {}
        self.unit_scheme: dict[str, str] = {}
        self.unit_kind: dict[str, str] = {}
        self.unit_name: dict[str, str] = {}
        self.top_unit: dict[str, str] = {}  # any unit below a township/department -> that township/department
        self.village_names: dict[str, list[str]] = {}  # township -> its village names
        self.groups: list[dict] = []
        self.people: list[_Person] = []
        self.entries: list[dict] = []
        self.ballots: list[dict] = []
        self.story: dict[str, _Person] = {}  # people of the newspaper report's stories, by role

    def _tick(self, step: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(step, done, total)

    # ------------------------------------------------------------------------------------ units

    def _add_unit(self, code: str, name: str, kind: str, parent: str | None) -> None:
        if code in self.parent:
            raise ValueError(f"duplicate unit code {code}")
        self.units.append({"code": code, "name": name, "kind": kind, "parent": parent})
        self.parent[code] = parent
        self.unit_kind[code] = kind
        self.unit_name[code] = name

    def build_units(self) -> None:
        data = json.loads(resources.files("gongfen.demo").joinpath("kaihua-units.json").read_text(encoding="utf-8"))
        county = data["county"]["name"]
        self._add_unit(COUNTY, county, "county", None)
        for index, t in enumerate(data["townships"], start=1):
            short, weight, offices = TOWNSHIPS.get(t["name"], (f"T{index:02d}", 50, ("DZ", "SH")))
            code = f"{COUNTY}-{short}"
            kind = TOWNSHIP_KINDS.get(t["kind"], "township")
            self._add_unit(code, t["name"], kind, COUNTY)
            tw = _Township(code, t["name"], kind, [], [], weight)
            for office in offices:
                self._add_unit(f"{code}-{office}", f"{t['name']}{OFFICE_NAMES[office]}", "office", code)
                tw.offices.append(f"{code}-{office}")
            for v, village in enumerate(t.get("villages") or (), start=1):
                self._add_unit(f"{code}-V{v:02d}", village, "village", code)
                tw.villages.append((f"{code}-V{v:02d}", village))
            self.townships.append(tw)
            self.village_names[code] = [name for _, name in tw.villages]
            for unit in [code, *tw.offices, *(c for c, _ in tw.villages)]:
                self.top_unit[unit] = code
        for index, name in enumerate(data["typical_county_departments"][:N_DEPARTMENTS], start=1):
            short, weight = DEPARTMENTS.get(name, (f"D{index:02d}", 25))
            code = f"{COUNTY}-{short}"
            self._add_unit(code, name, "department", COUNTY)
            self.departments.append(_Department(code, name, weight))
            self.top_unit[code] = code
        self._add_unit(TASK_FORCE, TASK_FORCE_NAME, "task_force", COUNTY)
        for short, name, village in WORKING_GROUPS:
            self._add_unit(f"{TASK_FORCE}-{short}", name, "task_force", TASK_FORCE)
            self.working_groups.append((f"{TASK_FORCE}-{short}", name, village))
        self._tick("units", len(self.units), len(self.units))

    # ---------------------------------------------------------------------------------- schemes

    def _scheme(self, code: str, name: str, unit: str, rules: list[dict], **extra) -> dict:
        scheme = {
            "code": code,
            "name": name,
            "unit": unit,
            "year": YEAR,
            "weights": {"quantitative": "0.7", "qualitative": "0.3"},
            "grades": dict(GRADES),
            "evaluator_classes": {"leader": "0.4", "peer": "0.3", "public": "0.3"},
            "tiers": [{"name": n, "cumulative": c} for n, c in TEMPLATE_TIERS],
            "min_days": MIN_DAYS,
            "category_caps": {"special": "20", "deduction": "20"},
            "rules": rules,
        }
        scheme.update(extra)
        self.schemes.append(scheme)
        self.scheme_rules[code] = {r["code"]: r for r in rules}
        return scheme

    def _tailored(self, unit_code: str, short: str, base_rules: tuple[str, ...]) -> list[dict]:
        tailoring = TAILORING.get(short, {})
        drop = set(tailoring.get("drop", ())) - set(PROTECTED_RULES)
        changes = tailoring.get("set", {})
        rules = []
        for r in TEMPLATE_RULES:
            if (r[2] == "base" and r[0] not in base_rules) or r[0] in drop:
                continue
            rule = _rule_dict(r)
            for key, value in changes.get(r[0], {}).items():
                if not (rule["category"] == "base" and key == "cap"):
                    rule[key] = value
            rules.append(rule)
        deductions_at = next(i for i, r in enumerate(rules) if r["category"] == "deduction")
        for local in tailoring.get("add", ()):
            name, category, points, unit, cap = LOCAL_RULES[local]
            rule = {"code": local, "name": name, "category": category, "points": points, "unit": unit, "cap": cap}
            rules.insert(deductions_at, rule)
            deductions_at += 1
        return rules

    def build_schemes(self) -> None:
        county = self.unit_name[COUNTY]
        self._scheme(
            TEMPLATE,
            f"{county}{YEAR}年干部“工分+排名”实绩考评办法（模板）",
            COUNTY,
            [_rule_dict(r) for r in TEMPLATE_RULES],
        )
        for unit_code, name, base_rules in [
            *((t.code, t.name, TOWNSHIP_BASE) for t in self.townships),
            *((d.code, d.name, DEPARTMENT_BASE) for d in self.departments),
        ]:
            short = unit_code.split("-", 1)[1]
            tailoring = TAILORING.get(short, {})
            extra: dict = {"derived_from": TEMPLATE}
            if "weights" in tailoring:
                wq, wl = tailoring["weights"]
                extra["weights"] = {"quantitative": wq, "qualitative": wl}
            if "category_caps" in tailoring:
                extra["category_caps"] = {"special": "20", "deduction": "20", **tailoring["category_caps"]}
            code = f"{unit_code}-{YEAR}"
            self._scheme(
                code,
                f"{name}{YEAR}年干部“工分+排名”实绩考评实施细则",
                unit_code,
                self._tailored(unit_code, short, base_rules),
                **extra,
            )
        for unit in self.unit_kind:
            top = self.top_unit.get(unit)
            if top is not None:
                self.unit_scheme[unit] = f"{top}-{YEAR}"
        peer = {
            "weights": {"quantitative": "0.8", "qualitative": "0.2"},
            "evaluator_classes": {"leader": "0.5", "peer": "0.5"},
            "tiers": [{"name": n, "cumulative": c} for n, c in PEER_TIERS],
            "category_caps": {"special": "40", "deduction": "20"},
        }
        self._scheme(
            HEADS_SCHEME, f"{county}{YEAR}年乡镇长实绩考评办法", COUNTY, [_rule_dict(r) for r in HEAD_RULES], **peer
        )
        self._scheme(
            SECS_SCHEME, f"{county}{YEAR}年乡镇党委书记实绩考评办法", COUNTY, [_rule_dict(r) for r in SEC_RULES], **peer
        )

    def build_groups(self) -> None:
        for unit in [*self.townships, *self.departments]:
            short = unit.code.split("-", 1)[1]
            self.groups.append(
                {
                    "code": f"G-{short}",
                    "name": f"{unit.name}全体干部",
                    "scheme": f"{unit.code}-{YEAR}",
                    "select": {"unit": unit.code},
                }
            )
        self.groups.append(
            {"code": "G-HEADS", "name": "全县乡镇长", "scheme": HEADS_SCHEME, "select": {"position": HEAD}}
        )
        self.groups.append(
            {"code": "G-SECS", "name": "全县党委书记", "scheme": SECS_SCHEME, "select": {"position": SEC}}
        )

    # ----------------------------------------------------------------------------------- people

    def _name(self, rng: random.Random) -> str:
        while True:
            given = rng.choice(GIVEN_CHARS)
            if rng.random() < 0.72:
                given += rng.choice(GIVEN_CHARS)
            name = rng.choice(SURNAMES) + given
            if name not in AVOID_NAMES:
                return name

    def _person(self, rng: random.Random, kind: str, home: str, unit: str, position: str, start: date) -> _Person:
        diligence = min(1.8, max(0.35, rng.gauss(1.0, 0.28)))
        person = _Person("", self._name(rng), diligence, kind, home)
        person.posts.append(_Post(unit, position, start, None, "home"))
        self.people.append(person)
        return person

    def build_people(self) -> None:
        rng = _rng(self.seed, "people")
        t_weights = [t.size_weight for t in self.townships]
        d_weights = [d.size_weight for d in self.departments]
        shares = _allocate(self.target, t_weights + d_weights, 0)
        t_sizes = [max(8, n) for n in shares[: len(t_weights)]]
        d_sizes = _allocate(max(0, self.target - sum(t_sizes)), d_weights, 4) if d_weights else []

        for tw, n in zip(self.townships, t_sizes, strict=True):
            n_dep = max(1, min(5, round(n / 14)))
            n_mid = max(1, round(n / 7))
            n_gen = max(1, n - 2 - n_dep - n_mid)
            self._person(rng, "township", tw.code, tw.code, SEC, _past_start(rng, 2.0, date(2020, 6, 1)))
            self._person(rng, "township", tw.code, tw.code, HEAD, _past_start(rng, 2.0, date(2020, 6, 1)))
            for _ in range(n_dep):
                self._person(rng, "township", tw.code, tw.code, DEPUTY, _past_start(rng, 3.0, date(2017, 1, 1)))
            offices = tw.offices or [tw.code]
            for i in range(n_mid):
                unit = offices[i] if i < len(offices) else rng.choice([tw.code, *offices])
                self._person(rng, "township", tw.code, unit, MIDDLE, _past_start(rng, 4.0))
            for i in range(n_gen):
                unit = offices[i] if i < len(offices) else rng.choice(offices) if rng.random() < 0.75 else tw.code
                self._person(rng, "township", tw.code, unit, GENERAL, _past_start(rng, 5.0))
        for dept, n in zip(self.departments, d_sizes, strict=True):
            n_dep = max(1, min(4, round(n / 8)))
            n_mid = max(1, round(n / 5))
            n_gen = max(1, n - 1 - n_dep - n_mid)
            self._person(rng, "department", dept.code, dept.code, DEPT_LEAD, _past_start(rng, 2.5, date(2019, 1, 1)))
            for _ in range(n_dep):
                self._person(
                    rng, "department", dept.code, dept.code, DEPT_DEPUTY, _past_start(rng, 3.0, date(2016, 1, 1))
                )
            for _ in range(n_mid):
                self._person(rng, "department", dept.code, dept.code, MIDDLE, _past_start(rng, 4.0))
            for _ in range(n_gen):
                self._person(rng, "department", dept.code, dept.code, GENERAL, _past_start(rng, 5.0))
        width = max(4, len(str(len(self.people))))
        for i, person in enumerate(self.people, start=1):
            person.code = f"C{i:0{width}d}"
        self._tick("cadres", 1, 4)

        busy: set[str] = set()
        zhu = self._pick_reservoir_volunteer(busy)
        if zhu is not None:
            self.story["volunteer"] = zhu
        self._promote_heads(rng, busy)
        self._newcomers(rng, busy)
        self._moves(rng, busy)
        self._tick("cadres", 2, 4)
        self._task_force(rng, busy, zhu)
        self._stationing(rng, busy)
        self._tick("cadres", 3, 4)
        for person in self.people:
            person.posts.sort(key=lambda p: (p.role != "home", p.start, p.unit))
        self._tick("cadres", 4, 4)

    def _pick_reservoir_volunteer(self, busy: set[str]) -> _Person | None:
        """Like 朱福存: a 一般干部 of 齐溪镇文旅办 who also works in 岭里三组."""
        for person in self.people:
            post = person.only_home()
            if post.unit == f"{COUNTY}-QX-WL" and post.position == GENERAL:
                busy.add(person.code)
                person.diligence = max(person.diligence, 1.55)
                return person
        return None

    def _holder(self, township: str, position: str) -> _Person | None:
        for person in self.people:
            post = person.home_posts()[-1]
            if post.unit == township and post.position == position and post.end is None:
                return person
        return None

    def _promote_heads(self, rng: random.Random, busy: set[str]) -> None:
        """桐村镇 on 2026-08-20 as in the report, and one more township in Q2: 乡镇长 → 党委书记."""
        by_code = {t.code: t for t in self.townships}
        plans = []
        if f"{COUNTY}-TC" in by_code:
            plans.append((f"{COUNTY}-TC", date(YEAR, 8, 20)))
        others = [t.code for t in self.townships if t.code != f"{COUNTY}-TC"]
        if others:
            plans.append((rng.choice(others), _mid_quarter_day(rng, 1)))
        for township, day in plans:
            sec, head, deputy = (self._holder(township, p) for p in (SEC, HEAD, DEPUTY))
            if sec is None or head is None or deputy is None:
                continue
            # the old secretary goes up to a county-level post (out of this system)
            sec.only_home().end = day - timedelta(days=1)
            head.only_home().end = day - timedelta(days=1)
            head.posts.append(_Post(township, SEC, day, None, "home"))
            head.diligence = max(head.diligence, 1.45)  # ranked near the top for two quarters before
            if township == f"{COUNTY}-TC":
                self.story["promoted_head"] = head
            deputy.only_home().end = day - timedelta(days=1)
            deputy.posts.append(_Post(township, HEAD, day, None, "home"))
            busy.update({sec.code, head.code, deputy.code})

    def _eligible(self, busy: set[str], positions: tuple[str, ...] = (GENERAL, MIDDLE)) -> list[_Person]:
        out = []
        for person in self.people:
            posts = person.home_posts()
            if person.code in busy or len(posts) != 1:
                continue
            post = posts[0]
            if post.position in positions and post.start < YEAR_START and post.end is None:
                out.append(person)
        return out

    def _newcomers(self, rng: random.Random, busy: set[str]) -> None:
        """A handful join in 2026; the first three less than 30 days before the end of Q1, Q2, Q3."""
        count = max(3, round(self.target / 150))
        pool = self._eligible(busy, (GENERAL,))
        for i, person in enumerate(rng.sample(pool, min(count, len(pool)))):
            if i < 3:
                _, _, quarter_end = QUARTERS[i]
                start = quarter_end - timedelta(days=rng.randint(4, 26))
            else:
                start = _random_day(rng, date(YEAR, 1, 5), date(YEAR, 10, 31))
            person.only_home().start = start
            person.diligence = min(person.diligence, 1.0)
            busy.add(person.code)

    def _moves(self, rng: random.Random, busy: set[str]) -> None:
        """Mid-quarter transfers between units, a few promotions in place and a couple of retirements."""
        count = max(4, round(self.target * 0.03))
        pool = self._eligible(busy)
        movers = rng.sample(pool, min(count, len(pool)))
        for person in movers:
            post = person.only_home()
            day = _mid_quarter_day(rng, rng.choices((0, 1, 2, 3), weights=(1, 1, 1, 0.6))[0])
            here = self.top_unit[post.unit]
            r = rng.random()
            if person.kind == "township" and r < 0.55 and len(self.townships) > 1:
                tw = rng.choice([t for t in self.townships if t.code != here])
                unit = rng.choice([tw.code, *tw.offices])
            elif r < 0.8 and self.departments:
                dept = rng.choice([d for d in self.departments if d.code != here] or self.departments)
                unit = dept.code
            elif person.kind == "township":
                tw = next(t for t in self.townships if t.code == here)
                unit = rng.choice([u for u in [tw.code, *tw.offices] if u != post.unit] or [tw.code])
            else:
                dept = rng.choice([d for d in self.departments if d.code != here] or self.departments)
                unit = dept.code
            position = MIDDLE if post.position == GENERAL and rng.random() < 0.2 else post.position
            post.end = day - timedelta(days=1)
            person.posts.append(_Post(unit, position, day, None, "home"))
            busy.add(person.code)
        pool = self._eligible(busy, (GENERAL,))
        for person in rng.sample(pool, min(max(2, round(self.target / 300)), len(pool))):
            post = person.only_home()
            day = _mid_quarter_day(rng, rng.randrange(3))
            post.end = day - timedelta(days=1)
            person.posts.append(_Post(post.unit, MIDDLE, day, None, "home"))
            person.diligence = max(person.diligence, 1.2)
            busy.add(person.code)
        pool = [p for p in self._eligible(busy, (MIDDLE,)) if p.only_home().start < date(2012, 1, 1)]
        for person in rng.sample(pool, min(max(1, round(self.target / 600)), len(pool))):
            person.only_home().end = _mid_quarter_day(rng, rng.randrange(4))  # retires
            busy.add(person.code)

    def _task_force(self, rng: random.Random, busy: set[str], zhu: _Person | None) -> None:
        """Concurrent posts in the reservoir relocation working groups: one 组长 each, several 组员."""
        near = {"QX": 8.0, "MJ": 2.0, "SZ": 2.0, "CT": 2.0, "CHG": 2.0, "SLJ": 6.0, "ZGJ": 6.0, "NYJ": 2.0}

        def weight(person: _Person, lead: bool) -> float:
            w = near.get(person.home.split("-", 1)[1], 0.3)
            if lead and person.only_home().position == MIDDLE:
                w *= 0.5
            return w

        groups = self.working_groups
        pool = self._eligible(busy, (DEPUTY, DEPT_DEPUTY, MIDDLE))
        leaders = _weighted_sample(rng, pool, [weight(p, True) for p in pool], len(groups))
        for (unit, _, _), person in zip(groups, leaders, strict=False):
            start = _settled(person, _random_day(rng, date(2025, 9, 1), date(2026, 1, 4)))
            person.posts.append(_Post(unit, TF_LEAD, start, None, "task"))
            person.diligence = max(person.diligence, 1.1)
            busy.add(person.code)
        count = max(2 * len(groups), round(self.target * 0.03))
        members: list[tuple[_Person, str]] = []
        ll3 = next((u for u, name, _ in groups if name == "岭里三组"), groups[0][0] if groups else None)
        if zhu is not None and ll3 is not None:
            members.append((zhu, ll3))
        pool = self._eligible(busy)
        picked = _weighted_sample(rng, pool, [weight(p, False) for p in pool], count - len(members))
        for i, person in enumerate(picked):
            members.append((person, groups[i % len(groups)][0]))
        for i, (person, unit) in enumerate(members):
            if i == 0 and person is zhu:
                start, end = date(2026, 1, 6), None
            elif rng.random() < 0.7:
                start, end = _random_day(rng, date(2025, 10, 1), date(2026, 3, 20)), None
            else:
                start, end = _random_day(rng, date(2026, 4, 1), date(2026, 9, 15)), None
            start = _settled(person, start)
            if person is not zhu and rng.random() < 0.15 and start + timedelta(days=90) < date(2026, 11, 15):
                end = _random_day(rng, max(start + timedelta(days=90), date(2026, 5, 1)), date(2026, 11, 15))
            person.posts.append(_Post(unit, TF_MEMBER, start, end, "task"))
            person.diligence = min(1.8, person.diligence + 0.1)
            busy.add(person.code)

    def _stationing(self, rng: random.Random, busy: set[str]) -> None:
        """Township cadres stationed in one of their township's villages (驻村干部)."""
        for tw in self.townships:
            if not tw.villages:
                continue
            pool = [p for p in self._eligible(busy) if p.home == tw.code]
            staff = sum(1 for p in self.people if p.home == tw.code)
            k = min(len(tw.villages), max(1, staff // 5), len(pool))
            for (village, _), person in zip(tw.villages, rng.sample(pool, k), strict=False):
                if rng.random() < 0.8:
                    start = _random_day(rng, date(2023, 3, 1), date(2025, 12, 1))
                else:
                    start = _random_day(rng, date(2026, 2, 1), date(2026, 8, 31))
                person.posts.append(_Post(village, STATIONED, _settled(person, start), None, "village"))
                busy.add(person.code)

    # ---------------------------------------------------------------------------------- entries

    def _status(self, rng: random.Random, day: date) -> str:
        age = (TODAY - day).days
        pending = 0.75 if age <= 14 else 0.4 if age <= 30 else 0.1 if age <= 60 else 0.003
        if rng.random() < pending:
            return "pending"
        r = rng.random()
        return "rejected" if r < 0.03 else "revoked" if r < 0.0035 + 0.03 else "approved"

    def _emit(
        self,
        rng: random.Random,
        person: _Person,
        scheme: str,
        rule: str,
        window: tuple[date, date],
        context: dict[str, str],
        quantity: str | None = None,
        status: str | None = None,
        description: str | None = None,
    ) -> None:
        day = _random_day(rng, *window)
        if quantity is None:
            lo, hi = QUANTITIES.get(rule, (1, 1))
            if rule.startswith("L-"):
                lo, hi = (1, 3) if self.scheme_rules[scheme][rule]["category"] == "routine" else (1, 2)
            n = rng.randint(lo, hi)
            if lo == hi == 1 and rule[0] in "DK" and not rule.endswith("VETO") and rng.random() < 0.08:
                n = 2
            quantity = str(n)
        entry = {
            "id": "",
            "cadre": person.code,
            "scheme": scheme,
            "rule": rule,
            "occurred_on": day.isoformat(),
            "quantity": quantity,
            "status": status or self._status(rng, day),
        }
        templates = DESCRIPTIONS.get(rule)
        if description is not None:
            entry["description"] = description
        elif templates and rng.random() < 0.85:
            values = _Lazy(rng, {**context, "n": quantity}, "department" if person.kind == "department" else "township")
            if quantity == "1":
                templates = tuple(t for t in templates if "等{n}" not in t)
            entry["description"] = rng.choice(templates).format_map(values)
        self.entries.append(entry)

    def _pick_rule(self, rng: random.Random, scheme: str, category: str, exclude: tuple[str, ...] = ()) -> str | None:
        rules = [
            r
            for r in self.scheme_rules[scheme].values()
            if r["category"] == category and not r.get("veto") and r["code"] not in exclude
        ]
        if not rules:
            return None
        weights = [RULE_WEIGHTS.get(r["code"], LOCAL_RULE_WEIGHT.get(category, 1.0)) for r in rules]
        return rng.choices(rules, weights=weights)[0]["code"]

    def _segments(self, person: _Person) -> list[tuple[_Post, date, date]]:
        out = []
        for post in person.home_posts():
            window = _overlap(post.start, post.end or LAST_ENTRY_DAY, YEAR_START, LAST_ENTRY_DAY)
            if window:
                out.append((post, *window))
        return out

    def _village_for(self, rng: random.Random, unit: str) -> str:
        names = self.village_names.get(self.top_unit.get(unit, ""), [])
        return rng.choice(names) if names else "联系村"

    def _person_entries(self, rng: random.Random, person: _Person) -> None:
        d = person.diligence
        segments = self._segments(person)
        for post, lo, hi in segments:
            scheme = self.unit_scheme[post.unit]
            kind = "department" if self.unit_kind[self.top_unit[post.unit]] == "department" else "township"
            months = ((hi - lo).days + 1) / 30.0
            f_routine, f_special, f_deduction = POSITION_FACTORS.get(post.position, (1.0, 1.0, 1.0))
            context = {"village": self._village_for(rng, post.unit)}
            plan = (
                ("routine", RATE_ROUTINE * d * f_routine, ()),
                ("special", RATE_SPECIAL * d * f_special, ("S-RES",)),
                ("deduction", RATE_DEDUCTION / d * f_deduction, ()),
            )
            for category, rate, exclude in plan:
                for _ in range(_poisson(rng, rate * months)):
                    rule = self._pick_rule(rng, scheme, category, exclude)
                    if rule:
                        self._emit(rng, person, scheme, rule, (lo, hi), context)
            for _ in range(_poisson(rng, RATE_CASUAL_STATIONING[kind] * months)):
                rule = self._pick_rule(rng, scheme, "stationing")
                if rule == "Z-DAY":
                    self._emit(rng, person, scheme, rule, (lo, hi), context, quantity=rng.choice(CASUAL_DAYS))
                elif rule:
                    self._emit(rng, person, scheme, rule, (lo, hi), context, quantity=str(rng.randint(2, 6)))
            peer_scheme = {HEAD: HEADS_SCHEME, SEC: SECS_SCHEME}.get(post.position)
            if peer_scheme:
                for rule, rate in PEER_EVENTS[peer_scheme]:
                    deduction = self.scheme_rules[peer_scheme][rule]["category"] == "deduction"
                    for _ in range(_poisson(rng, (rate / d if deduction else rate * d) * months)):
                        self._emit(rng, person, peer_scheme, rule, (lo, hi), context)
        for extra in person.posts:
            if extra.role == "home":
                continue
            for post, lo, hi in segments:
                window = _overlap(extra.start, extra.end or LAST_ENTRY_DAY, lo, hi)
                if not window:
                    continue
                scheme = self.unit_scheme[post.unit]
                months = ((window[1] - window[0]).days + 1) / 30.0
                if extra.role == "task":
                    tfv = next(v for u, _, v in self.working_groups if u == extra.unit)
                    rate = RATE_RESERVOIR * d * (1.2 if extra.position == TF_LEAD else 1.0)
                    for _ in range(_poisson(rng, rate * months)):
                        self._emit(rng, person, scheme, "S-RES", window, {"tfv": tfv})
                else:
                    context = {"village": self.unit_name[extra.unit]}
                    for _ in range(_poisson(rng, RATE_STATIONED_DAYS * months)):
                        self._emit(rng, person, scheme, "Z-DAY", window, context, quantity=str(rng.randint(3, 7)))
                    if "Z-VISIT" in self.scheme_rules[scheme]:
                        for _ in range(_poisson(rng, RATE_STATIONED_VISITS * d * months)):
                            self._emit(rng, person, scheme, "Z-VISIT", window, context)

    def _vetoes(self, rng: random.Random) -> None:
        """3–5 approved vetoes in Q1–Q3, plus one rejected (cleared) and one still pending."""
        pool = [
            p
            for p in self.people
            if len(p.posts) == 1
            and p.posts[0].start < YEAR_START
            and p.posts[0].end is None
            and p.posts[0].position in (GENERAL, MIDDLE)
        ]
        approved = rng.randint(3, 5)
        chosen = rng.sample(pool, min(approved + 2, len(pool)))
        for i, person in enumerate(chosen):
            post = person.posts[0]
            scheme = self.unit_scheme[post.unit]
            if i < approved:
                day, status = _mid_quarter_day(rng, rng.randrange(3)), "approved"
            elif i == approved:
                day, status = _mid_quarter_day(rng, rng.randrange(3)), "rejected"
            else:
                day, status = _random_day(rng, date(YEAR, 11, 3), date(YEAR, 11, 20)), "pending"
            self._emit(rng, person, scheme, "D-VETO", (day, day), {}, quantity="1", status=status)

    def _story_entries(self, rng: random.Random) -> None:
        """A few fixed ledger lines that tell the report's stories (密胺产业园, the 984 households)."""
        lines = []
        head = self.story.get("promoted_head")
        if head is not None:
            lines += [
                (head, HEADS_SCHEME, "K-PROJ", date(YEAR, 2, 26), "2", "推进密胺产业园二期项目前期工作"),
                (head, HEADS_SCHEME, "K-INV", date(YEAR, 3, 18), "1", "招引密胺制品配套项目签约落地"),
                (head, HEADS_SCHEME, "K-PROJ", date(YEAR, 5, 12), "2", "密胺产业园二期项目用地报批取得节点进展"),
                (head, HEADS_SCHEME, "K-INV", date(YEAR, 6, 16), "1", "招引密胺新材料项目签约落地"),
                (head, SECS_SCHEME, "P-PROJ", date(YEAR, 9, 8), "1", "推进密胺产业园二期项目控制规划编制"),
                (head, SECS_SCHEME, "P-PROJ", date(YEAR, 10, 21), "1", "编制密胺产业园二期土地征收成片开发方案"),
            ]
        volunteer = self.story.get("volunteer")
        if volunteer is not None:
            home = self.unit_scheme[volunteer.only_home().unit]
            lines.append((volunteer, home, "S-RES", date(YEAR, 10, 26), "2", "核对开化水库984户搬迁安置户基本选房数据"))
        for person, scheme, rule, day, quantity, text in lines:
            holds = [
                p
                for p in person.posts
                if p.start <= day <= (p.end or day)
                and (
                    scheme not in (HEADS_SCHEME, SECS_SCHEME) or p.position == (HEAD if scheme == HEADS_SCHEME else SEC)
                )
                and (rule != "S-RES" or p.role == "task")
            ]
            if not holds:
                continue
            status = "approved" if day < date(YEAR, 10, 1) else self._status(rng, day)
            self._emit(rng, person, scheme, rule, (day, day), {}, quantity, status, description=text)

    def build_entries(self) -> None:
        rng = _rng(self.seed, "entries")
        total = len(self.people)
        self._tick("entries", 0, total)
        for i, person in enumerate(self.people, start=1):
            self._person_entries(rng, person)
            if i % 100 == 0 or i == total:
                self._tick("entries", i, total)
        self._vetoes(rng)
        self._story_entries(rng)
        self.entries.sort(key=lambda e: (e["occurred_on"], e["cadre"], e["scheme"], e["rule"]))
        width = max(6, len(str(len(self.entries))))
        for i, entry in enumerate(self.entries, start=1):
            entry["id"] = f"E{i:0{width}d}"

    # ---------------------------------------------------------------------------------- ballots

    def _ancestors(self, unit: str) -> frozenset[str]:
        cached = self.ancestors.get(unit)
        if cached is None:
            out, code = [], unit
            while code is not None:
                out.append(code)
                code = self.parent[code]
            cached = self.ancestors[unit] = frozenset(out)
        return cached

    def members(self, group: dict, start: date, end: date) -> list[tuple[_Person, int]]:
        """(person, days) for everyone with at least one day in ``group`` between ``start`` and ``end``."""
        select = group["select"]
        out = []
        for person in self.people:
            days: set[int] = set()
            for post in person.posts:
                if "position" in select and post.position != select["position"]:
                    continue
                if "unit" in select and select["unit"] not in self._ancestors(post.unit):
                    continue
                window = _overlap(post.start, post.end or end, start, end)
                if window:
                    days.update(range(window[0].toordinal(), window[1].toordinal() + 1))
            if days:
                out.append((person, len(days)))
        return out

    def build_ballots(self) -> None:
        rng = _rng(self.seed, "ballots")
        form = {p.code: {q: rng.gauss(0.0, 0.15) for q, _, _ in EVALUATED_QUARTERS} for p in self.people}
        schemes = {s["code"]: s for s in self.schemes}
        total, done = len(self.groups) * len(EVALUATED_QUARTERS), 0
        self._tick("ballots", 0, total)
        noise = {"leader": 0.3, "peer": 0.35, "public": 0.45}
        for period, start, end in EVALUATED_QUARTERS:
            for group in self.groups:
                scheme = schemes[group["scheme"]]
                ladder = sorted(scheme["grades"], key=lambda g: -float(scheme["grades"][g]))
                min_days = scheme.get("min_days", MIN_DAYS)
                for person, days in self.members(group, start, end):
                    if days < min_days:
                        continue
                    level = person.diligence + form[person.code][period]
                    for cls in scheme["evaluator_classes"]:
                        if cls == "leader":
                            n = rng.randint(1, 2)
                        elif cls == "peer":
                            n = rng.randint(5, 9)
                        else:
                            n = rng.randint(3, 8) if rng.random() < 0.35 else 0
                        for _ in range(n):
                            x = level + rng.gauss(0.0, noise.get(cls, 0.4))
                            step = 0 if x > 1.2 else 1 if x > 0.82 else 2 if x > 0.5 else 3
                            grade = ladder[min(step, len(ladder) - 1)]
                            self.ballots.append(
                                {
                                    "cadre": person.code,
                                    "scheme": scheme["code"],
                                    "period": period,
                                    "class": cls,
                                    "grade": grade,
                                }
                            )
                done += 1
                self._tick("ballots", done, total)

    # ----------------------------------------------------------------------------------- output

    def bundle(self) -> dict:
        cadres = [
            {
                "code": p.code,
                "name": p.name,
                "posts": [
                    {"unit": q.unit, "position": q.position, "start": _iso(q.start), "end": _iso(q.end)}
                    for q in p.posts
                ],
            }
            for p in self.people
        ]
        return {
            "format": FORMAT,
            "units": self.units,
            "cadres": cadres,
            "schemes": self.schemes,
            "groups": self.groups,
            "entries": self.entries,
            "ballots": self.ballots,
        }


def build_demo_bundle(seed: int = 2026, cadres: int = 1200, progress: Progress | None = None) -> dict:
    """A demo county as a ``gongfen-bundle/1`` dict.

    ``seed`` drives people, posts, entries and ballots (units, schemes and groups are the same for every
    seed); ``cadres`` is the number of people (townships keep at least 8 each, departments 4, so very small
    numbers are rounded up). ``progress(step, done, total)``, when given, is called as the steps ``units``,
    ``cadres``, ``entries`` (done/total in cadres, every 100) and ``ballots`` (in group-quarters) advance.
    """
    builder = _Builder(seed, cadres, progress)
    builder.build_units()
    builder.build_schemes()
    builder.build_groups()
    builder.build_people()
    builder.build_entries()
    builder.build_ballots()
    return builder.bundle()
