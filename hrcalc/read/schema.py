"""The input workbook's schema as data: sheets, columns, kinds, help texts, examples and aliases.

contract.md is the authority; this module restates it once so that the reader, the template
generator and the report writer all share the same names, headers, help texts and dropdowns.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from hrcalc.codes import check_char
from hrcalc.records import PARK_LEVELS, RECOGNITION_KINDS, TALENT_CLASSES

Kind = Literal[
    "text",
    "code",
    "money",
    "integer",
    "year",
    "boolean",
    "date",
    "talent_class",
    "recognition_kind",
    "park_level",
    "award",
    "tier",
]
Example = str | int | date



def fold(text: str) -> str:
    """The form names are compared in: NFKC (full-width = half-width), stripped, lower-case,
    inner runs of whitespace as one space."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split()).lower()


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of a sheet: its canonical field id, its two headers and how its cells read."""

    field: str
    en: str
    zh: str
    required: bool
    kind: Kind
    help_zh: str
    help_en: str
    example: Example
    # money that must be strictly above zero (annual salary, headhunting fee); other money is ≥ 0
    positive: bool = False
    # an identifier compared across rows and sheets (ids, districts, references): read in
    # NFKC form so full-width and half-width spellings are the same value
    ident: bool = False

    @property
    def headers(self) -> tuple[str, str]:
        return (self.en, self.zh)


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """One sheet: its id (also the English name), its Chinese name and its columns in order."""

    id: str
    name_en: str
    name_zh: str
    columns: tuple[ColumnSpec, ...]
    help_zh: str = ""
    help_en: str = ""

    @property
    def required_columns(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, field: str) -> ColumnSpec:
        for col in self.columns:
            if col.field == field:
                return col
        raise KeyError(field)


def _example_code(body: str) -> str:
    return body + check_char(body)


EXAMPLE_INSTITUTION_CODE = _example_code("91340100MA2N0XQ8X")
EXAMPLE_EMPLOYER_CODE = _example_code("91340100MA8P1KC3R")

# ---- alias tables ---------------------------------------------------------------------------

RECOGNITION_KIND_NAMES_ZH: dict[str, str] = {
    "listing": "上市",
    "china_top500": "中国企业500强",
    "china_service_top500": "中国服务业企业500强",
    "anhui_service_top100": "安徽省服务业百强",
    "scale_up": "升规入统",
    "specialized_sme": "专精特新",
    "high_tech": "高新技术企业",
    "national_competition": "国家级赛事获奖",
    "headhunter_settlement": "知名猎头机构落户",
}
# Short names the plan itself uses (二(二)7: 中国500强, 中国服务业500强).
_RECOGNITION_EXTRA_ALIASES = {"中国500强": "china_top500", "中国服务业500强": "china_service_top500"}

PARK_LEVEL_NAMES_ZH: dict[str, str] = {
    "national_park": "国家级人力资源服务产业园",
    "provincial_park": "省级人力资源服务产业园",
    "provincial_talent_market": "省级专业性行业性人才市场",
}


def _aliases(names_zh: dict[str, str], extra: dict[str, str] | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    for ident, zh in names_zh.items():
        out[fold(ident)] = ident
        out[fold(zh)] = ident
    for alias, ident in (extra or {}).items():
        out[fold(alias)] = ident
    return out


RECOGNITION_KIND_ALIASES: dict[str, str] = _aliases(RECOGNITION_KIND_NAMES_ZH, _RECOGNITION_EXTRA_ALIASES)
"""Folded (see `fold`) id or Chinese name of a recognition kind → its id."""

PARK_LEVEL_ALIASES: dict[str, str] = _aliases(PARK_LEVEL_NAMES_ZH)
"""Folded id or Chinese name of a park level → its id."""

assert set(RECOGNITION_KIND_NAMES_ZH) == set(RECOGNITION_KINDS)
assert set(PARK_LEVEL_NAMES_ZH) == set(PARK_LEVELS)

# Units a money header may carry in brackets, folded → multiplier to yuan.
MONEY_UNITS: dict[str, Decimal] = {
    "元": Decimal(1),
    "yuan": Decimal(1),
    "万元": Decimal(10) ** 4,
    "10k yuan": Decimal(10) ** 4,
    "亿元": Decimal(10) ** 8,
    "100m yuan": Decimal(10) ** 8,
}

BOOLEAN_WORDS: dict[str, bool] = {
    "是": True, "否": False,
    "y": True, "n": False,
    "yes": True, "no": False,
    "true": True, "false": False,
    "1": True, "0": False,
    "✓": True, "✗": False,
    # the check and cross marks Chinese forms use as often as ✓/✗
    "✔": True, "✘": False,
    "√": True, "×": False,
}
"""Folded text of a boolean cell → its value."""

# ---- shared column definitions --------------------------------------------------------------

_BOOL_HELP_ZH = "填 是/否（也可 Y/N、yes/no、true/false、1/0、✓/✗）"
_BOOL_HELP_EN = "是/否, Y/N, yes/no, true/false, 1/0 or ✓/✗"
_DATE_HELP_ZH = "日期，如 2025-03-01、2025/3/1 或 2025年3月1日"
_DATE_HELP_EN = "a date: 2025-03-01, 2025/3/1 or 2025年3月1日"
_MONEY_HELP_ZH = "金额，单位元；表头写 (万元) 或 (亿元) 时按该单位"
_MONEY_HELP_EN = "yuan; a header ending in (10k yuan)/(万元) or (100m yuan)/(亿元) sets that unit"


def _credit_code(required: bool, help_zh: str, help_en: str) -> ColumnSpec:
    return ColumnSpec(
        "credit_code", "credit_code", "统一社会信用代码", required, "code",
        help_zh, help_en, EXAMPLE_INSTITUTION_CODE,
    )


def _other_policy(help_zh: str = "同一事项已按本市其他政策享受的金额（就高不重复）",
                  help_en: str = "already granted for the same matter under another city policy "
                                 "(the higher of the two is paid, never both)") -> ColumnSpec:
    return ColumnSpec(
        "other_policy_amount", "other_policy_amount", "其他政策已享受金额", False, "money",
        f"{help_zh}；{_MONEY_HELP_ZH}", f"{help_en}; {_MONEY_HELP_EN}", 0,
    )


_INSTITUTION_REF_ZH = "人力资源服务机构的统一社会信用代码，须已列在“机构”表"
_INSTITUTION_REF_EN = "the HR service institution's credit code; must be listed in institutions"

INSTITUTIONS = SheetSpec(
    "institutions", "institutions", "机构",
    (
        _credit_code(True, "18 位统一社会信用代码，校验位须正确；本表内不得重复",
                     "18-character unified social credit code, valid check character; unique"),
        ColumnSpec("name", "name", "机构名称", True, "text",
                   "机构全称", "the institution's full name", "合肥某某人力资源服务有限公司"),
        ColumnSpec("district", "district", "所属区域", False, "text",
                   "所属县（市、区）或开发区", "county, district or development zone", "蜀山区",
                   ident=True),
        ColumnSpec("employees", "employees", "从业人员数", False, "integer",
                   "从业人员人数，0 或正整数", "number of employees, a whole number ≥ 0", 120),
    ),
    "人力资源服务机构名录：每家机构一行",
    "the HR service institutions, one row each",
)

REVENUE = SheetSpec(
    "revenue", "revenue", "营业收入",
    (
        _credit_code(True, _INSTITUTION_REF_ZH, _INSTITUTION_REF_EN),
        ColumnSpec("year", "year", "年度", True, "year",
                   "会计年度，如 2025；同一机构同一年度只填一行",
                   "fiscal year, e.g. 2025; one row per institution and year", 2025),
        ColumnSpec("revenue", "revenue", "营业收入", True, "money",
                   f"该年度营业收入；{_MONEY_HELP_ZH}", f"the year's revenue; {_MONEY_HELP_EN}",
                   260000000),
        ColumnSpec("prior_year_revenue", "prior_year_revenue", "上年营业收入", False, "money",
                   f"上一年度营业收入，本表没有上一年度的行时使用；{_MONEY_HELP_ZH}",
                   f"the previous year's revenue, used when that year has no row; {_MONEY_HELP_EN}",
                   220000000),
        _other_policy(),
    ),
    "机构年度营业收入：每家机构每年一行",
    "annual revenue, one row per institution and fiscal year",
)

PLACEMENTS = SheetSpec(
    "placements", "placements", "猎头引才",
    (
        ColumnSpec("placement_id", "placement_id", "引才编号", True, "text",
                   "本次引才的编号，不得重复", "an id for the placement; unique", "P-2025-001",
                   ident=True),
        _credit_code(True, "提供猎头服务的人力资源服务机构的统一社会信用代码，须已列在“机构”表",
                     _INSTITUTION_REF_EN),
        ColumnSpec("employer_name", "employer_name", "用人单位", True, "text",
                   "用人单位全称", "the employer's full name", "合肥某某科技股份有限公司"),
        ColumnSpec("employer_credit_code", "employer_credit_code", "用人单位信用代码", True, "code",
                   "用人单位的 18 位统一社会信用代码", "the employer's 18-character credit code",
                   EXAMPLE_EMPLOYER_CODE),
        ColumnSpec("key_enterprise", "key_enterprise", "重点企业", True, "boolean",
                   f"用人单位是否为本市重点企业；{_BOOL_HELP_ZH}",
                   f"is the employer a key enterprise of the city; {_BOOL_HELP_EN}", "是"),
        ColumnSpec("from_outside_city", "from_outside_city", "市外引进", True, "boolean",
                   f"人才是否从市外引进；{_BOOL_HELP_ZH}",
                   f"was the talent brought from outside the city; {_BOOL_HELP_EN}", "是"),
        ColumnSpec("talent_class", "talent_class", "人才类别", False, "talent_class",
                   "A、B、C、D 或 E（可写 A类），非分类人才留空",
                   "A, B, C, D or E; blank when not classified", "B"),
        ColumnSpec("urgent_need", "urgent_need", "急需紧缺", False, "boolean",
                   f"是否急需紧缺人才，留空视为否；{_BOOL_HELP_ZH}",
                   f"urgently needed talent, blank = no; {_BOOL_HELP_EN}", "否"),
        ColumnSpec("annual_salary", "annual_salary", "年税前薪酬", True, "money",
                   f"人才年税前薪酬，须大于 0；{_MONEY_HELP_ZH}",
                   f"the talent's annual pre-tax salary, above 0; {_MONEY_HELP_EN}", 680000,
                   positive=True),
        ColumnSpec("headhunting_fee", "headhunting_fee", "猎头服务费", True, "money",
                   f"用人单位支付的猎头服务费，须大于 0；{_MONEY_HELP_ZH}",
                   f"the headhunting fee paid, above 0; {_MONEY_HELP_EN}", 120000,
                   positive=True),
        ColumnSpec("placement_date", "placement_date", "引进日期", True, "date",
                   f"人才引进日期；{_DATE_HELP_ZH}", f"the placement date; {_DATE_HELP_EN}",
                   date(2025, 3, 1)),
        _other_policy("机构就同一引才已按本市其他政策享受的金额（就高不重复）",
                      "already granted to the institution for this placement under another "
                      "city policy"),
        ColumnSpec("employer_other_policy_amount", "employer_other_policy_amount",
                   "用人单位其他政策已享受金额", False, "money",
                   f"用人单位就同一引才已按本市其他政策享受的金额；{_MONEY_HELP_ZH}",
                   f"already granted to the employer for this placement under another city policy; "
                   f"{_MONEY_HELP_EN}", 0),
    ),
    "猎头引才明细：每次引才一行",
    "headhunting placements, one row each",
)

RECOGNITIONS = SheetSpec(
    "recognitions", "recognitions", "荣誉认定",
    (
        _credit_code(True, _INSTITUTION_REF_ZH, _INSTITUTION_REF_EN),
        ColumnSpec("kind", "kind", "类别", True, "recognition_kind",
                   "认定类别：" + "、".join(RECOGNITION_KIND_NAMES_ZH.values()),
                   "the kind: " + ", ".join(RECOGNITION_KINDS), RECOGNITION_KIND_NAMES_ZH["high_tech"]),
        ColumnSpec("date", "date", "日期", True, "date",
                   f"上市、上榜、认定、获奖或落户日期；{_DATE_HELP_ZH}",
                   f"the date of listing, ranking, certification, prize or settlement; {_DATE_HELP_EN}",
                   date(2025, 3, 1)),
        ColumnSpec("reference", "reference", "文号或赛事名称", False, "text",
                   "认定文号或赛事名称；国家级赛事获奖必填，同一机构同一赛事只填一行",
                   "the decision's reference or the competition's name; required for "
                   "national_competition, unique per institution", "皖科高〔2025〕1号", ident=True),
        ColumnSpec("approved_amount", "approved_amount", "核定金额", False, "money",
                   f"上市、专精特新、知名猎头机构落户的核定金额；{_MONEY_HELP_ZH}",
                   f"the approved amount for listing, specialized_sme, headhunter_settlement; "
                   f"{_MONEY_HELP_EN}", 180000),
        _other_policy(),
    ),
    "机构获得的上市、榜单、认定、赛事获奖、落户等：每项一行",
    "listings, rankings, certifications, prizes and settlements, one row each",
)

PARKS = SheetSpec(
    "parks", "parks", "产业园",
    (
        ColumnSpec("park_id", "park_id", "园区编号", True, "text",
                   "园区编号；同一园区同一级别只填一行", "an id for the park; one row per park and level",
                   "PK-001", ident=True),
        ColumnSpec("name", "name", "园区名称", True, "text",
                   "园区或市场名称", "the park's or market's name", "中国合肥人力资源服务产业园"),
        ColumnSpec("district", "district", "申报区域", True, "text",
                   "申报的县（市、区）或开发区，即补助对象", "the applying district, which is paid",
                   "蜀山区", ident=True),
        ColumnSpec("level", "level", "级别", True, "park_level",
                   "级别：" + "、".join(PARK_LEVEL_NAMES_ZH.values()),
                   "the level: " + ", ".join(PARK_LEVELS), PARK_LEVEL_NAMES_ZH["national_park"]),
        ColumnSpec("date", "date", "批准日期", True, "date",
                   f"批准或认定日期；{_DATE_HELP_ZH}", f"the approval date; {_DATE_HELP_EN}",
                   date(2025, 3, 1)),
        _other_policy(),
    ),
    "人力资源服务产业园和人才市场：每个园区每个级别一行",
    "HR services industrial parks and talent markets, one row per park and level",
)

PRIOR_AWARDS = SheetSpec(
    "prior_awards", "prior_awards", "历史兑现",
    (
        ColumnSpec("payee_id", "payee_id", "受奖主体", True, "text",
                   "统一社会信用代码；产业园补助填申报区域名称",
                   "credit code, or the district name for park subsidies", EXAMPLE_INSTITUTION_CODE,
                   ident=True),
        ColumnSpec("award", "award", "奖励项目", True, "award",
                   "奖励编号或中文名称，如 猎头引才奖励", "an award id or its Chinese name, e.g. headhunting",
                   "猎头引才奖励"),
        ColumnSpec("tier", "tier", "档次", False, "tier",
                   "档次编号或中文名称，如 50万元档、2亿元档、中国企业500强、园区级别；其他奖励留空",
                   "a tier id or its Chinese name (salary, revenue, ranking list, park level); "
                   "blank for other awards", "50万元档"),
        ColumnSpec("record_id", "record_id", "关联记录", False, "text",
                   "对应记录：引才编号、园区编号、认定文号；营业收入奖励填会计年度",
                   "the line's record: placement_id, park_id, recognition reference; revenue: the "
                   "fiscal year", "P-2024-007", ident=True),
        ColumnSpec("amount", "amount", "金额", True, "money",
                   f"已兑现金额；{_MONEY_HELP_ZH}", f"the amount granted; {_MONEY_HELP_EN}", 48000),
        ColumnSpec("date", "date", "兑现日期", True, "date",
                   f"兑现日期，其年份为奖励年度；{_DATE_HELP_ZH}",
                   f"the grant date; its year is the award year; {_DATE_HELP_EN}", date(2024, 12, 20)),
        ColumnSpec("policy", "policy", "政策", False, "text",
                   "兑现所依据的政策方案编号；留空则为兑现日期当日有效的方案",
                   "the id of the plan the grant was made under; blank: the plan in force on its date",
                   "hefei-hr-services-2024", ident=True),
    ),
    "本方案下以前已兑现的奖励：每笔一行（可直接粘贴往年报告的奖励明细）",
    "awards granted before under this plan, one line each (paste last year's award lines)",
)

CLAIMS = SheetSpec(
    "claims", "claims", "申报",
    (
        ColumnSpec("payee_id", "payee_id", "受奖主体", True, "text",
                   "申报主体的统一社会信用代码，或区域名称", "the claimant's credit code, or a district name",
                   EXAMPLE_INSTITUTION_CODE, ident=True),
        ColumnSpec("award", "award", "奖励项目", True, "award",
                   "奖励编号或中文名称", "an award id or its Chinese name", "猎头引才奖励"),
        ColumnSpec("record_id", "record_id", "关联记录", False, "text",
                   "对应记录；留空表示该主体该年度该项奖励的全部",
                   "the record claimed for; blank covers the payee's whole award for the year",
                   "P-2025-001", ident=True),
        ColumnSpec("year", "year", "年度", True, "year",
                   "奖励年度", "the award year", 2025),
        ColumnSpec("claimed_amount", "claimed_amount", "申报金额", True, "money",
                   f"申报金额；{_MONEY_HELP_ZH}", f"the amount claimed; {_MONEY_HELP_EN}", 48000),
    ),
    "申报主体自报应得金额，用于与计算结果核对",
    "what institutions, employers or districts declared they are owed, to reconcile",
)

SHEETS: tuple[SheetSpec, ...] = (
    INSTITUTIONS,
    REVENUE,
    PLACEMENTS,
    RECOGNITIONS,
    PARKS,
    PRIOR_AWARDS,
    CLAIMS,
)
"""The sheets in contract.md's order."""

SHEETS_BY_ID: dict[str, SheetSpec] = {s.id: s for s in SHEETS}

SHEET_ALIASES: dict[str, SheetSpec] = {
    fold(name): s for s in SHEETS for name in (s.id, s.name_en, s.name_zh)
}
"""Folded English or Chinese sheet name → its spec."""

TALENT_CLASS_CHOICES: tuple[str, ...] = TALENT_CLASSES

GUIDE_SHEETS: frozenset[str] = frozenset(fold(name) for name in ("说明", "填表说明", "Instructions", "Guide"))
"""The names of the template's own guide sheet (template.py): known, never read as data."""
