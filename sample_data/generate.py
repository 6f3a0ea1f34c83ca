"""Write ``sample_data/hefei-hr-2025.xlsx``: a realistic bureau input workbook of fictional institutions.

The workbook follows ``contract.md`` with the Chinese sheet names and headers a clerk at the Hefei
HR & social-security bureau would use (机构, 营业收入, 猎头引才, 荣誉认定, 产业园, 历史兑现, 申报).
Every institution, employer, park and credit code is invented; credit codes carry a valid
GB 32100-2015 check character.

Most rows are written by hand below (revenue, recognitions, parks, history, claims, and the
"planted" placements that exercise caps and edge cases); only the bulk of ordinary placements,
the codes and head counts come from a seeded ``random.Random``. The output is byte-for-byte
reproducible: fixed seed, fixed document timestamps and fixed zip entry timestamps.

Usage::

    PYTHONPATH=. python sample_data/generate.py [OUTPUT.xlsx]
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import sys
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

try:
    import hrcalc  # noqa: F401
except ModuleNotFoundError:  # run as `python sample_data/generate.py` from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hrcalc.codes import ALPHABET, check_char, is_valid_credit_code
from hrcalc.read.schema import PARK_LEVEL_NAMES_ZH, RECOGNITION_KIND_NAMES_ZH

SEED = 20250701
FIXED_TIME = dt.datetime(2026, 8, 15, 9, 30, 0)  # workbook "created"/"modified" and zip entry times
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "hefei-hr-2025.xlsx"

WINDOW_START = dt.date(2024, 7, 1)
WINDOW_END = dt.date(2026, 6, 30)

YES, NO = "是", "否"

# Administrative division codes (positions 3-8 of a credit code) for each district.
DIVISION = {
    "瑶海区": "340102",
    "庐阳区": "340103",
    "蜀山区": "340104",
    "包河区": "340111",
    "长丰县": "340121",
    "肥西县": "340123",
    "高新区": "340100",
    "经开区": "340100",
    "新站区": "340100",
}

# Chinese names, exactly as in contract.md / rulings.md.
KIND = RECOGNITION_KIND_NAMES_ZH
PARK_LEVEL = PARK_LEVEL_NAMES_ZH
AWARD = {
    "headhunting": "猎头引才奖励",
    "employer_subsidy": "用人企业引才补贴",
    "revenue_growth": "营业收入增长奖励",
    "listing": "上市奖励",
    "ranking": "500强榜单奖励",
    "anhui_top100": "安徽省服务业百强奖励",
    "scale_up": "升规入统奖励",
    "specialized_sme": "专精特新奖励",
    "headhunter_settlement": "知名猎头机构落户奖励",
    "competition": "国家级赛事获奖奖励",
    "high_tech": "高新技术企业认定奖励",
    "park": "产业园建设补助",
}

# ---------------------------------------------------------------------------------------------
# Institutions: (key used below, name, district, employees or None for a random head count).
# The first block has hand-planted roles; the rest are ordinary agencies.
# ---------------------------------------------------------------------------------------------
INSTITUTIONS: list[tuple[str, str, str, int | None]] = [
    ("group", "合肥庐州人力资源集团股份有限公司", "蜀山区", 4860),  # 30亿 tier, ranking ladder, listing
    ("hanhai", "安徽瀚海人力资源服务股份有限公司", "包河区", 3120),  # 20亿 tier at 12%, listing w/o amount
    ("borui", "合肥博睿人力资源有限公司", "高新区", 1380),  # 5亿 then 10亿, specialized_sme, high_tech
    ("xingtu", "合肥星途人力资源服务有限公司", "经开区", 760),  # 5亿 tier, growth 15.56%
    ("dingcai", "合肥鼎才人力资源服务有限公司", "瑶海区", 420),  # growth exactly 15%
    ("juxian", "合肥聚贤人才服务有限公司", "庐阳区", 390),  # 2亿 tier in 2024, nothing more in 2025
    ("hengxin", "合肥恒信人力资源有限公司", "蜀山区", 510),  # growth below 10%
    ("jinqiao", "安徽金桥人力资源服务有限公司", "新站区", 455),  # prior_year_revenue column used
    ("runze", "合肥润泽人力资源有限公司", "肥西县", 830),  # revenue award offset by another policy
    ("lanjing", "合肥蓝鲸人力资源服务有限公司", "长丰县", 240),  # 2025 revenue without any prior year
    ("linghang", "合肥领航猎头咨询有限公司", "高新区", 86),  # headhunting annual cap, 2025
    ("huicai", "安徽徽才汇人才科技有限公司", "蜀山区", 64),  # headhunting per-line cap, 2024
    ("ruicai", "合肥锐才猎头咨询有限公司", "包河区", 45),  # headhunter settlement, approved 300,000
    ("zhuopin", "合肥卓聘管理咨询有限公司", "庐阳区", 38),  # headhunter settlement w/o amount
    ("yingcai", "合肥庐州英才人力资源服务有限公司", "经开区", 120),  # two national competition prizes
    ("chaohu", "合肥巢湖人才港人力资源有限公司", "包河区", 96),  # scale_up already granted in 2024
    ("tianhe", "合肥天和人力资源服务有限公司", "瑶海区", 150),  # scale_up 2024 (first time)
    ("xincheng", "合肥新程人力资源服务有限公司", "长丰县", 72),  # scale_up 2026 (first time)
    ("hanlin", "合肥翰林人才发展有限公司", "高新区", 210),  # high_tech with other policy amount
    ("anhe", "合肥安禾人力资源服务有限公司", "新站区", 130),  # specialized_sme w/o approved amount
    ("yucai", "合肥誉才人力资源服务有限公司", "庐阳区", None),
    ("zhongwang", "合肥众望人力资源有限公司", "瑶海区", None),
    ("huaize", "安徽淮泽人力资源服务有限公司", "蜀山区", None),
    ("qihang", "合肥启航人力资源服务有限公司", "新站区", None),
    ("xinda", "合肥信达人才服务有限公司", "肥西县", None),
    ("boya", "合肥博雅猎头咨询有限公司", "高新区", None),
    ("jingwei", "合肥经纬人力资源管理有限公司", "经开区", None),
    ("feiyue", "合肥飞跃人力资源服务有限公司", "长丰县", None),
    ("yuanjing", "合肥远景人才咨询有限公司", "包河区", None),
    ("chunshen", "合肥春申人力资源服务有限公司", "庐阳区", None),
    ("mingde", "合肥明德人力资源有限公司", "蜀山区", None),
    ("shunhe", "合肥顺和劳务派遣有限公司", "肥西县", None),
    ("xinglian", "合肥星链人才科技有限公司", "高新区", None),
    ("baiyue", "合肥柏悦人力资源服务有限公司", "瑶海区", None),
]

# Institutions that take part in the random bulk of placements. linghang and huicai are left out
# so the annual-cap and per-line-cap cases stay easy to check by hand; so are the large groups
# (they are outsourcing/dispatch businesses here) and a few agencies without a headhunting licence.
BULK_PLACERS = [
    "borui", "xingtu", "dingcai", "juxian", "hengxin", "jinqiao", "runze", "ruicai", "zhuopin",
    "yingcai", "chaohu", "tianhe", "hanlin", "anhe", "yucai", "zhongwang", "huaize", "qihang",
    "xinda", "boya", "jingwei", "feiyue", "yuanjing", "chunshen", "mingde", "xinglian",
]  # fmt: skip

EMPLOYER_ROOTS = [
    "庐芯", "巢光", "皖能", "科凌", "量界", "数衡", "星澜", "晶拓", "驰越", "源动", "微纳", "瀚科",
    "芯屏", "云擎", "蓝盾", "聚能", "启明", "睿视", "天枢", "恒拓", "航芯", "清研", "智鲸", "新锐",
    "湖光", "紫蓬", "大蜀", "逍遥", "包公", "滨湖", "岗集", "三河", "肥河", "派河", "南淝", "董铺",
    "翡翠", "天鹅", "塘西", "崇文",
]  # fmt: skip
EMPLOYER_TRADES = [
    ("半导体", "股份有限公司"), ("新能源汽车", "有限公司"), ("光伏科技", "有限公司"),
    ("人工智能", "科技有限公司"), ("生物医药", "股份有限公司"), ("量子科技", "有限公司"),
    ("智能制造", "有限公司"), ("新材料", "科技股份有限公司"), ("集成电路", "有限公司"),
    ("储能科技", "有限公司"), ("显示技术", "有限公司"), ("网络安全", "技术有限公司"),
]  # fmt: skip
EMPLOYER_DISTRICTS = ["高新区", "经开区", "新站区", "蜀山区", "包河区", "肥西县", "长丰县"]


@dataclass
class Employer:
    name: str
    code: str
    key: bool  # on the city's key-enterprise list (重点企业)


@dataclass
class Placement:
    inst: str
    employer: int  # index into the employer pool
    out: bool
    salary: int
    fee: int | float
    date: dt.date
    talent_class: str = ""
    urgent: bool | None = None  # None: cell left blank (= no)
    other: int | None = None
    employer_other: int | None = None
    tag: str = ""  # planted-case label, printed in the summary; not written
    pid: str = field(default="", init=False)


@dataclass
class Sheet:
    name: str
    headers: list[str]
    rows: list[list[Any]]
    title: list[str] = field(default_factory=list)
    date_cols: tuple[str, ...] = ()
    money_cols: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# Codes and pools
# ---------------------------------------------------------------------------------------------


def make_code(rng: random.Random, division: str, used: set[str]) -> str:
    """A fresh valid 18-character credit code: 9 (工商) 1 (企业), division, 9-char body, check."""
    while True:
        if rng.random() < 0.75:  # post-2015 registrations: MA + 7
            org = "MA" + "".join(rng.choice(ALPHABET) for _ in range(7))
        else:  # older firms kept their 9-digit organisation code
            org = "".join(rng.choice("0123456789") for _ in range(9))
        body = "91" + division + org
        code = body + check_char(body)
        if code not in used:
            used.add(code)
            return code


def build_institutions(rng: random.Random, used: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, name, district, employees in INSTITUTIONS:
        out[key] = {
            "code": make_code(rng, DIVISION[district], used),
            "name": name,
            "district": district,
            "employees": employees if employees is not None else rng.randint(15, 360),
        }
    return out


def build_employers(rng: random.Random, used: set[str]) -> list[Employer]:
    employers = []
    for i, root in enumerate(EMPLOYER_ROOTS):
        trade, suffix = EMPLOYER_TRADES[i % len(EMPLOYER_TRADES)]
        prefix = "安徽" if i % 5 == 0 else "合肥"
        district = EMPLOYER_DISTRICTS[i % len(EMPLOYER_DISTRICTS)]
        employers.append(
            Employer(
                name=f"{prefix}{root}{trade}{suffix}",
                code=make_code(rng, DIVISION[district], used),
                key=rng.random() < 0.55,
            )
        )
    # The planted cases below rely on these flags.
    employers[0].key = True
    employers[1].key = True
    employers[2].key = True
    employers[3].key = False
    return employers


# ---------------------------------------------------------------------------------------------
# Placements
# ---------------------------------------------------------------------------------------------


def planted_placements() -> list[Placement]:
    """Hand-made placements with a known outcome (see README.md)."""
    d = dt.date
    return [
        # linghang, 2025: rulings example H7 plus one more line -> annual cap 2,000,000 reached.
        Placement("linghang", 0, True, 1_200_000, 1_600_000, d(2025, 3, 1), tag="cap-1: 800,000"),
        Placement("linghang", 1, True, 1_100_000, 1_800_000, d(2025, 5, 1), tag="cap-2: 900,000"),
        Placement("linghang", 2, True, 1_000_000, 1_200_000, d(2025, 9, 1),
                  tag="cap-3: 600,000 cut to 300,000 by the annual cap"),
        Placement("linghang", 0, True, 600_000, 150_000, d(2025, 11, 15), urgent=True,
                  tag="cap-4: 60,000 cut to 0 by the annual cap (employer subsidy 75,000 still paid)"),
        # linghang's ordinary business in the other years.
        Placement("linghang", 1, True, 450_000, 112_500, d(2024, 10, 9), tag=""),
        Placement("linghang", 2, False, 380_000, 95_000, d(2026, 4, 22), talent_class="D", tag=""),
        # huicai, 2024: fee above 2,000,000 -> 1,100,000 cut to 1,000,000 by the per-line cap.
        Placement("huicai", 1, True, 2_800_000, 2_200_000, d(2024, 11, 8), urgent=True,
                  tag="line-cap: 1,100,000 cut to 1,000,000; employer subsidy 200,000 (capped)"),
        Placement("huicai", 4, True, 520_000, 130_000, d(2025, 6, 18), talent_class="B", tag=""),
        # Employer subsidy capped at 200,000: out, 1.5M salary, urgent, fee 450,000 (50% = 225,000).
        Placement("yucai", 2, True, 1_500_000, 450_000, d(2025, 7, 7), urgent=True,
                  tag="employer-cap: employer 225,000 -> 200,000; institution 225,000"),
        # Employer subsidy without an institution award (employer not a key enterprise), with an offset.
        Placement("qihang", 3, True, 650_000, 182_000, d(2025, 2, 14), urgent=True, employer_other=30_000,
                  tag="employer-only: institution nothing; employer 91,000 - 30,000 = 61,000"),
        # Exact-match claim: rulings H1 (key, out, 800,000 / 200,000 -> 40% = 80,000).
        Placement("boya", 0, True, 800_000, 200_000, d(2025, 4, 1), tag="exact: 80,000"),
        # Ineligible: local talent, class C, not urgent -> no line at all.
        Placement("zhongwang", 3, False, 420_000, 105_000, d(2025, 3, 20), talent_class="C", urgent=False,
                  tag="ineligible: no line"),
        # Class A from outside the city, employer not key: A/B rate 50%.
        Placement("mingde", 3, True, 260_000, 65_000, d(2025, 10, 11), talent_class="A",
                  tag="class-A: 32,500"),
        # Institution award offset by another city policy (就高不重复).
        Placement("xinda", 0, True, 720_000, 180_000, d(2024, 12, 3), other=20_000,
                  tag="offset: 72,000 - 20,000 = 52,000"),
        # Fee with cents: 30% of 98,765.43 = 29,629.629 -> 29,629.63 (one half-up rounding).
        Placement("jingwei", 1, True, 400_000, 98_765.43, d(2025, 8, 26), tag="cents: 29,629.63"),
        # Outside the 2024-07-01..2026-06-30 window: warnings, nothing paid.
        Placement("feiyue", 0, True, 600_000, 150_000, d(2024, 5, 10), urgent=True,
                  tag="out-of-window (before)"),
        Placement("chunshen", 2, True, 900_000, 225_000, d(2026, 8, 1), tag="out-of-window (after)"),
    ]  # fmt: skip


def bulk_placements(rng: random.Random, employers: list[Employer], n: int) -> list[Placement]:
    """Ordinary placements: fees 20-30% of salary, spread over the two-year window."""
    span = (WINDOW_END - WINDOW_START).days + 1
    rows: list[Placement] = []
    for _ in range(n):
        band = rng.random()
        if band < 0.45:
            salary = rng.randint(150, 299) * 1000
        elif band < 0.75:
            salary = rng.randint(300, 599) * 1000
        elif band < 0.93:
            salary = rng.randint(600, 1199) * 1000
        else:
            salary = rng.randint(1200, 3000) * 1000
        fee = round(salary * rng.uniform(0.20, 0.30), -2)
        out = rng.random() < 0.7
        talent_class = rng.choices(["", "A", "B", "C", "D", "E"], weights=[62, 4, 9, 9, 8, 8])[0]
        r = rng.random()
        urgent: bool | None = True if r < 0.35 else (False if r < 0.7 else None)
        emp = rng.randrange(len(employers))
        other = None
        if rng.random() < 0.06:
            other = int(round(fee * rng.choice([0.05, 0.1, 0.2]), -3))
        employer_other = None
        if out and urgent and salary >= 500_000 and rng.random() < 0.25:
            employer_other = rng.choice([20_000, 50_000])
        rows.append(
            Placement(
                inst=rng.choice(BULK_PLACERS),
                employer=emp,
                out=out,
                salary=salary,
                fee=int(fee),
                date=WINDOW_START + dt.timedelta(days=rng.randrange(span)),
                talent_class=talent_class,
                urgent=urgent,
                other=other,
                employer_other=employer_other,
            )
        )
    return rows


def assign_placement_ids(placements: list[Placement], inst: dict[str, dict[str, Any]]) -> None:
    """Sort by date and number per year: YC2025-0001 …"""
    placements.sort(key=lambda p: (p.date, inst[p.inst]["code"], p.salary))
    seq: Counter[int] = Counter()
    for p in placements:
        seq[p.date.year] += 1
        p.pid = f"YC{p.date.year}-{seq[p.date.year]:04d}"


# ---------------------------------------------------------------------------------------------
# Hand-written sheets
# ---------------------------------------------------------------------------------------------

# Revenue in 万元: key -> {year: revenue}, plus optional prior_year_revenue / other policy amount.
REVENUE: list[tuple[str, int, int, int | None, int | None]] = [
    # key, year, revenue (万元), prior_year_revenue (万元) or None, other_policy_amount (元) or None
    ("group", 2023, 220_000, None, None),
    ("group", 2024, 260_000, None, None),  # +18.2%, tier 20亿 -> 800,000
    ("group", 2025, 305_000, None, None),  # +17.3%, tier 30亿 -> 1,200,000
    ("hanhai", 2023, 175_000, None, None),
    ("hanhai", 2024, 190_000, None, None),  # +8.57%, tier 10亿 -> nothing
    ("hanhai", 2025, 212_800, None, None),  # +12.0%, tier 20亿, lower band -> 400,000
    ("borui", 2023, 85_000, None, None),
    ("borui", 2024, 95_000, None, None),  # +11.76%, tier 5亿, lower band -> 150,000
    ("borui", 2025, 112_000, None, None),  # +17.9%, tier 10亿 -> 500,000 (higher tier after lower)
    ("xingtu", 2023, 41_000, None, None),
    ("xingtu", 2024, 45_000, None, None),  # +9.76% -> nothing
    ("xingtu", 2025, 52_000, None, None),  # +15.56%, tier 5亿 -> 300,000
    ("dingcai", 2023, 19_000, None, None),
    ("dingcai", 2024, 20_000, None, None),  # +5.26% -> nothing
    ("dingcai", 2025, 23_000, None, None),  # exactly +15%, tier 2亿 -> lower band 50,000 (Ruling)
    ("juxian", 2023, 18_000, None, None),
    ("juxian", 2024, 21_000, None, None),  # +16.7%, tier 2亿 -> 100,000
    ("juxian", 2025, 24_000, None, None),  # +14.3%, tier 2亿 already granted -> 0
    ("hengxin", 2023, 33_000, None, None),
    ("hengxin", 2024, 35_000, None, None),  # +6.1% -> nothing
    ("hengxin", 2025, 36_800, None, None),  # +5.1% -> nothing
    ("jinqiao", 2024, 26_500, 22_000, None),  # no 2023 row: prior column, +20.5% -> 100,000
    ("jinqiao", 2025, 28_900, None, None),  # +9.06% -> nothing
    ("runze", 2024, 60_500, 50_000, 100_000),  # +21%, tier 5亿 300,000 - 100,000 -> 200,000
    ("runze", 2025, 64_000, None, None),  # +5.8% -> nothing
    ("lanjing", 2025, 23_500, None, None),  # no prior revenue at all -> warning, nothing
    # Smaller agencies, all below the 2亿 threshold.
    ("yingcai", 2024, 8_600, 7_400, None),
    ("yingcai", 2025, 9_900, None, None),
    ("tianhe", 2023, 12_400, None, None),
    ("tianhe", 2024, 14_100, None, None),
    ("tianhe", 2025, 16_300, None, None),
    ("hanlin", 2024, 6_200, 5_100, None),
    ("hanlin", 2025, 7_050, None, None),
    ("anhe", 2024, 4_380, 4_010, None),
    ("anhe", 2025, 4_960, None, None),
    ("chaohu", 2024, 3_150, 2_600, None),
    ("chaohu", 2025, 3_720, None, None),
    ("yucai", 2024, 2_280, 2_050, None),
    ("yucai", 2025, 2_510, None, None),
    ("qihang", 2025, 1_890, 1_620, None),
    ("shunhe", 2023, 10_800, None, None),
    ("shunhe", 2024, 11_200, None, None),
    ("shunhe", 2025, 11_650, None, None),
]

# Recognitions: key, kind, date, reference (文号或赛事名称), approved_amount, other_policy_amount.
RECOGNITIONS: list[tuple[str, str, dt.date, str, int | None, int | None]] = [
    ("group", "china_service_top500", dt.date(2024, 9, 1), "2024中国服务业企业500强", None, None),
    ("group", "anhui_service_top100", dt.date(2024, 11, 15), "2024安徽服务业企业100强", None, None),
    ("group", "listing", dt.date(2025, 6, 18), "证监许可〔2025〕1088号", 1_500_000, None),
    ("group", "china_top500", dt.date(2025, 8, 1), "2025中国企业500强", None, None),  # ladder top-up
    ("hanhai", "china_service_top500", dt.date(2025, 9, 10), "2025中国服务业企业500强", None, None),
    ("hanhai", "anhui_service_top100", dt.date(2025, 10, 20), "2025安徽服务业企业100强", None, None),
    ("hanhai", "listing", dt.date(2025, 12, 26), "证监许可〔2025〕2716号", None, None),  # upper bound
    ("borui", "high_tech", dt.date(2024, 12, 5), "GR202434001187", None, None),
    ("borui", "specialized_sme", dt.date(2025, 7, 10), "皖经信中小企函〔2025〕312号", 150_000, None),
    ("borui", "anhui_service_top100", dt.date(2025, 10, 20), "2025安徽服务业企业100强", None, None),
    ("anhe", "specialized_sme", dt.date(2025, 7, 10), "皖经信中小企函〔2025〕312号-2", None, None),
    ("hanlin", "high_tech", dt.date(2025, 11, 28), "GR202534000562", None, 50_000),
    ("ruicai", "headhunter_settlement", dt.date(2024, 8, 20), "合人社秘〔2024〕156号", 300_000, None),
    ("zhuopin", "headhunter_settlement", dt.date(2025, 4, 10), "合人社秘〔2025〕47号", None, None),
    ("yingcai", "national_competition", dt.date(2025, 5, 28), "第二届全国人力资源服务创新创业大赛（金奖）",
     None, None),
    ("yingcai", "national_competition", dt.date(2025, 11, 6), "全国人力资源服务行业职业技能竞赛（一等奖）",
     None, None),
    ("xinglian", "national_competition", dt.date(2024, 10, 16),
     "第三届全国人力资源服务业发展大会人力资源服务创新大赛（银奖）", None, None),
    ("chaohu", "scale_up", dt.date(2025, 3, 15), "合统〔2025〕18号", None, None),  # granted in 2024
    ("tianhe", "scale_up", dt.date(2024, 10, 10), "合统〔2024〕33号", None, None),
    ("xincheng", "scale_up", dt.date(2026, 2, 15), "合统〔2026〕9号", None, None),
    ("shunhe", "anhui_service_top100", dt.date(2024, 5, 30), "2023安徽服务业企业100强", None, None),  # early
]  # fmt: skip

# Parks: park_id, name, district (payee), level, date, other_policy_amount.
PARKS: list[tuple[str, str, str, str, dt.date, int | None]] = [
    ("YQ-001", "合肥滨湖人力资源服务产业园", "包河区", "provincial_park", dt.date(2024, 9, 10), None),
    ("YQ-002", "合肥高新区数智人才产业园", "高新区", "national_park", dt.date(2025, 3, 1), None),
    ("YQ-003", "合肥经开区人力资源服务产业园", "经开区", "provincial_park", dt.date(2025, 5, 20), None),
    ("YQ-004", "庐阳区医药健康人才市场", "庐阳区", "provincial_talent_market", dt.date(2025, 8, 8), None),
    ("YQ-005", "肥西县人力资源服务产业园", "肥西县", "provincial_park", dt.date(2025, 11, 12), 500_000),
    # YQ-001 upgraded: provincial 2024, national 2026 -> the national level is paid in full.
    ("YQ-001", "合肥滨湖人力资源服务产业园", "包河区", "national_park", dt.date(2026, 3, 20), None),
    # Approved before the plan took effect: warning, nothing paid.
    ("YQ-006", "新站区新型显示产业人才市场", "新站区", "provincial_talent_market", dt.date(2024, 6, 15),
     None),
]  # fmt: skip

PRIOR_HEADHUNTING_ID = "LT-2024-0187"  # a placement from the previous batch, not in 猎头引才


def prior_awards(inst: dict[str, dict[str, Any]], employers: list[Employer]) -> list[list[Any]]:
    d = dt.date(2024, 12, 20)
    return [
        [inst["huicai"]["code"], AWARD["headhunting"], "100万元档", PRIOR_HEADHUNTING_ID, 300_000, d],
        [inst["chaohu"]["code"], AWARD["scale_up"], None, "合统〔2024〕21号", 200_000, d],
        [employers[5].code, AWARD["employer_subsidy"], None, "LT-2024-0152", 150_000, d],
    ]


def claims(
    inst: dict[str, dict[str, Any]], employers: list[Employer], tagged: dict[str, Placement]
) -> list[list[Any]]:
    """payee_id, award, record_id, year, claimed_amount. Expected outcome in the comment."""
    c = {k: v["code"] for k, v in inst.items()}
    return [
        # exact match: 80,000 computed
        [c["boya"], AWARD["headhunting"], tagged["exact"].pid, 2025, 80_000],
        # over-claim on a line cut by the per-line cap: 1,100,000 claimed, 1,000,000 computed
        [c["huicai"], AWARD["headhunting"], tagged["line-cap"].pid, 2024, 1_100_000],
        # over-claim on a line cut by the annual cap: 600,000 claimed, 300,000 computed
        [c["linghang"], AWARD["headhunting"], tagged["cap-3"].pid, 2025, 600_000],
        # ineligible placement (local, class C): 31,500 claimed, nothing computed
        [c["zhongwang"], AWARD["headhunting"], tagged["ineligible"].pid, 2025, 31_500],
        # already granted in 2024 (prior_awards): 200,000 claimed, 0 computed
        [c["chaohu"], AWARD["scale_up"], None, 2025, 200_000],
        # employer subsidy over its 200,000 cap: 225,000 claimed, 200,000 computed
        [employers[2].code, AWARD["employer_subsidy"], tagged["employer-cap"].pid, 2025, 225_000],
        # exact 15% growth claimed at the upper band: 100,000 claimed, 50,000 computed
        [c["dingcai"], AWARD["revenue_growth"], "2025", 2025, 100_000],
        # under-claim, whole award for the year (two prizes): 200,000 claimed, 400,000 computed
        [c["yingcai"], AWARD["competition"], None, 2025, 200_000],
        # ranking ladder top-up, exact: 400,000
        [c["group"], AWARD["ranking"], None, 2025, 400_000],
        # park, exact: 5,000,000 to 高新区
        ["高新区", AWARD["park"], "YQ-002", 2025, 5_000_000],
        # settlement, by award id rather than Chinese name, exact: 300,000
        [c["ruicai"], "headhunter_settlement", None, 2024, 300_000],
    ]


# ---------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------


def yes_no(v: bool | None) -> str | None:
    return None if v is None else (YES if v else NO)


def build_sheets(seed: int = SEED) -> tuple[list[Sheet], dict[str, Placement]]:
    rng = random.Random(seed)
    used: set[str] = set()
    inst = build_institutions(rng, used)
    employers = build_employers(rng, used)
    placements = planted_placements() + bulk_placements(rng, employers, 204)
    assign_placement_ids(placements, inst)
    tagged = {p.tag.split(":")[0]: p for p in placements if p.tag}

    institutions = Sheet(
        "机构",
        ["统一社会信用代码", "机构名称", "所属区域", "从业人员数"],
        [[v["code"], v["name"], v["district"], v["employees"]] for v in inst.values()],
    )
    revenue = Sheet(
        "营业收入",
        ["统一社会信用代码", "年度", "营业收入(万元)", "上年营业收入(万元)", "其他政策已享受金额"],
        [[inst[k]["code"], y, r, p, o] for k, y, r, p, o in REVENUE],
        title=["人力资源服务机构营业收入情况表（2023—2025年度）"],
        money_cols=("营业收入(万元)", "上年营业收入(万元)", "其他政策已享受金额"),
    )
    placement_sheet = Sheet(
        "猎头引才",
        [
            "序号", "引才编号", "统一社会信用代码", "机构名称", "用人单位", "用人单位信用代码", "重点企业",
            "市外引进", "人才类别", "急需紧缺", "年税前薪酬", "猎头服务费", "引进日期", "其他政策已享受金额",
            "用人单位其他政策已享受金额",
        ],
        [
            [
                i, p.pid, inst[p.inst]["code"], inst[p.inst]["name"], employers[p.employer].name,
                employers[p.employer].code, yes_no(employers[p.employer].key), yes_no(p.out),
                p.talent_class or None, yes_no(p.urgent), p.salary, p.fee, p.date, p.other, p.employer_other,
            ]
            for i, p in enumerate(placements, start=1)
        ],
        title=[
            "2025年度猎头引才奖励申报汇总表",
            "填报单位：合肥市人力资源和社会保障局（盖章）　　金额单位：元",
        ],
        date_cols=("引进日期",),
        money_cols=("年税前薪酬", "猎头服务费", "其他政策已享受金额", "用人单位其他政策已享受金额"),
    )  # fmt: skip
    recognitions = Sheet(
        "荣誉认定",
        ["统一社会信用代码", "类别", "日期", "文号或赛事名称", "核定金额", "其他政策已享受金额"],
        [[inst[k]["code"], KIND[kind], d, ref, a, o] for k, kind, d, ref, a, o in RECOGNITIONS],
        date_cols=("日期",),
        money_cols=("核定金额", "其他政策已享受金额"),
    )
    parks = Sheet(
        "产业园",
        ["园区编号", "园区名称", "申报区域", "级别", "批准日期", "其他政策已享受金额"],
        [[pid, name, dist, PARK_LEVEL[lvl], d, o] for pid, name, dist, lvl, d, o in PARKS],
        date_cols=("批准日期",),
        money_cols=("其他政策已享受金额",),
    )
    prior = Sheet(
        "历史兑现",
        ["受奖主体", "奖励项目", "档次", "关联记录", "金额", "兑现日期"],
        prior_awards(inst, employers),
        date_cols=("兑现日期",),
        money_cols=("金额",),
    )
    claim_sheet = Sheet(
        "申报",
        ["受奖主体", "奖励项目", "关联记录", "年度", "申报金额"],
        claims(inst, employers, tagged),
        money_cols=("申报金额",),
    )
    sheets = [institutions, revenue, placement_sheet, recognitions, parks, prior, claim_sheet]
    check(sheets, placements)
    return sheets, tagged


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(f"sample workbook breaks the contract: {what}")


def check(sheets: list[Sheet], placements: list[Placement]) -> None:
    """Contract invariants the sample must keep (contract.md); fails loudly if an edit breaks one."""
    by = {s.name: s for s in sheets}
    codes = [r[0] for r in by["机构"].rows]
    _require(len(codes) == len(set(codes)) >= 30, "30+ institutions with unique codes")
    _require(all(is_valid_credit_code(c) for c in codes), "institution credit codes valid")
    known = set(codes)
    rev = {(r[0], r[1]): r for r in by["营业收入"].rows}
    _require(len(rev) == len(by["营业收入"].rows), "(credit_code, year) unique in 营业收入")
    for (code, year), r in rev.items():
        _require(code in known and r[2] >= 0, f"营业收入 row {code} {year}: known institution, revenue >= 0")
        if (code, year - 1) in rev:
            _require(r[3] is None, f"{code} {year}: 上年营业收入 must be blank when {year - 1} exists")
    ids = [p.pid for p in placements]
    _require(len(ids) == len(set(ids)) >= 200, "200+ placements with unique ids")
    _require(PRIOR_HEADHUNTING_ID not in ids, "the prior headhunting record is not a current placement")
    for p in placements:
        _require(p.salary > 0 and p.fee > 0 and round(p.fee, 2) == p.fee, f"{p.pid}: salary/fee")
    for r in by["猎头引才"].rows:
        _require(r[2] in known and is_valid_credit_code(r[5]), f"{r[1]}: institution/employer code")
    refs = [(r[0], r[3]) for r in by["荣誉认定"].rows]
    _require(all(c in known for c, _ in refs), "荣誉认定 institutions known")
    _require(len(refs) == len(set(refs)), "荣誉认定 (institution, reference) unique")
    _require({r[1] for r in by["荣誉认定"].rows} == set(KIND.values()), "every recognition kind present")
    park_keys = [(r[0], r[3]) for r in by["产业园"].rows]
    _require(len(park_keys) == len(set(park_keys)), "(park_id, level) unique")
    for s in sheets:
        for col in s.money_cols:
            j = s.headers.index(col)
            _require(all(r[j] is None or r[j] >= 0 for r in s.rows), f"{s.name}.{col} negative")


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def _width(value: Any) -> int:
    if isinstance(value, dt.date):
        return 10
    text = f"{value:,}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_sheet(ws: Worksheet, sheet: Sheet) -> None:
    ncols = len(sheet.headers)
    for line in sheet.title:
        ws.append([line])
        row = ws.max_row
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        cell = ws.cell(row=row, column=1)
        cell.font = Font(bold=row == 1, size=14 if row == 1 else 10)
        cell.alignment = Alignment(horizontal="center" if row == 1 else "left")
    ws.append(sheet.headers)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for values in sheet.rows:
        ws.append(values)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)

    for j, header in enumerate(sheet.headers, start=1):
        letter = get_column_letter(j)
        column = [r[j - 1] for r in sheet.rows if r[j - 1] is not None]
        ws.column_dimensions[letter].width = min(60, max([_width(header), *map(_width, column)]) + 2)
        fmt = None
        if header in sheet.date_cols:
            fmt = "yyyy-mm-dd"
        elif header in sheet.money_cols:
            fmt = "#,##0.00" if any(isinstance(v, float) for v in column) else "#,##0"
        if fmt:
            for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=j, max_col=j):
                cell.number_format = fmt


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        write_sheet(wb.create_sheet(sheet.name), sheet)
    wb.properties.creator = "hrcalc sample_data/generate.py"
    wb.properties.title = "合肥市人力资源服务业奖励兑现申报数据（虚构样例）"
    wb.properties.created = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl stamps "modified" with the current time and zip entries with now()
    wb.properties.modified = FIXED_TIME
    return _normalise_zip(buf.getvalue(), core_xml=tostring(wb.properties.to_tree()))


def _normalise_zip(data: bytes, core_xml: bytes) -> bytes:
    """Rewrite the archive with fixed entry times and the fixed docProps/core.xml."""
    out = io.BytesIO()
    stamp = FIXED_TIME.timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = core_xml if info.filename == "docProps/core.xml" else src.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, payload)
    return out.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".xlsx")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        if args[0] in ("-h", "--help"):
            print(__doc__)
            return 0
        print("usage: python sample_data/generate.py [OUTPUT.xlsx]", file=sys.stderr)
        return 2
    output = Path(args[0]) if args else DEFAULT_OUTPUT
    sheets, tagged = build_sheets()
    write_atomic(output, workbook_bytes(sheets))

    print(f"wrote {output}")
    for s in sheets:
        print(f"  {s.name}: {len(s.rows)} rows")
    print("planted placements:")
    for p in sorted(tagged.values(), key=lambda p: p.pid):
        print(f"  {p.pid}  {p.inst:<9} {p.date}  {p.tag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
