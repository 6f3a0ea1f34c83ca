"""Write synthetic bureau workbooks of any size for the benchmark, fast, deterministic and cached.

A workbook with N placements also holds N/50 institutions (2,000 at 100,000), three fiscal years
of revenue per institution, recognitions, parks, prior awards and claims, all valid under
contract.md so `hrcalc calculate` exits 0 (a few events fall outside the policy window, which is
a warning, as in real data). Sheet names and headers are the Chinese ones a clerk uses; the
placements sheet has a title row above its header; revenue is in 万元, the rest in yuan; dates are
real Excel dates.

Rows come from a seeded `random.Random` and are written by xlsxwriter, cell by cell by type (dates
as serial numbers). Strings go into a shared-string table, as Excel and WPS save them: that costs
memory while writing (1.7 GB at a million placements) but is what the reader meets in
practice. `--inline-strings` uses xlsxwriter's constant_memory mode instead, flat memory and
inline strings, which openpyxl reads about 1.6 times slower than shared ones.
Files are cached in bench/.cache/ under a name holding N, the string mode and GENERATOR_VERSION:
bump the version whenever the output changes, so stale files are never measured.

Usage::

    /work/venv/bin/python bench/generate.py 10000 100000        # prints the cached paths
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

try:
    from hrcalc.codes import check_char
except ModuleNotFoundError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from hrcalc.codes import check_char

GENERATOR_VERSION = 2  # 2: shared strings by default
SEED = 20240701
CACHE_DIR = Path(__file__).resolve().parent / ".cache"

INSTITUTIONS_PER_PLACEMENT = 1 / 50
REVENUE_YEARS = (2023, 2024, 2025)
WINDOW_START = dt.date(2024, 7, 1)
WINDOW_END = dt.date(2026, 6, 30)
OUTSIDE_WINDOW_SHARE = 0.005  # placements dated just outside the window: a warning, not an error
EXCEL_EPOCH = dt.date(1899, 12, 30)

YES, NO = "是", "否"
DISTRICTS = ("瑶海区", "庐阳区", "蜀山区", "包河区", "长丰县", "肥西县", "肥东县", "高新区", "经开区", "新站区")
TRADES = ("半导体", "新能源汽车", "光伏科技", "人工智能", "生物医药", "量子科技", "智能制造", "新材料",
          "集成电路", "储能科技", "显示技术", "网络安全")  # fmt: skip
ROOTS = ("庐芯", "巢光", "皖能", "科凌", "量界", "数衡", "星澜", "晶拓", "驰越", "源动", "微纳", "瀚科",
         "芯屏", "云擎", "蓝盾", "聚能", "启明", "睿视", "天枢", "恒拓")  # fmt: skip
# (kind as a clerk writes it, weight); Chinese names and ids are both valid
RECOGNITION_KINDS = (("高新技术企业", 30), ("专精特新", 15), ("升规入统", 20), ("安徽省服务业百强", 8),
                     ("国家级赛事获奖", 12), ("中国服务业企业500强", 4), ("中国企业500强", 2), ("上市", 2),
                     ("知名猎头机构落户", 7))  # fmt: skip
DISCRETIONARY = {"专精特新", "上市", "知名猎头机构落户"}
PARK_LEVELS = ("省级专业性行业性人才市场", "省级人力资源服务产业园", "国家级人力资源服务产业园")
SALARY_TIERS = ((1_000_000, "100万元档"), (500_000, "50万元档"), (300_000, "30万元档"))


def code(prefix: str, n: int) -> str:
    """A valid unified social credit code: 17-character body `91340100` + prefix + digits, checked."""
    body = f"91340100{prefix}{n:0{9 - len(prefix)}d}"
    return body + check_char(body)


def serial(day: dt.date) -> int:
    """The Excel date serial of `day` (1900 date system)."""
    return (day - EXCEL_EPOCH).days


@dataclass(frozen=True, slots=True)
class Sizes:
    """How many rows each sheet gets for N placements."""

    placements: int
    institutions: int
    employers: int
    parks: int
    prior_headhunting: int
    claims: int

    @classmethod
    def of(cls, n: int) -> Sizes:
        institutions = max(20, round(n * INSTITUTIONS_PER_PLACEMENT))
        return cls(
            placements=n,
            institutions=institutions,
            employers=max(50, n // 5),
            parks=min(60, 5 + n // 5000),
            prior_headhunting=n // 20,
            claims=max(10, n // 50),
        )


# ---- writing --------------------------------------------------------------------------------

Cell = str | int | float | dt.date | None


class SheetWriter:
    """Streams rows into one worksheet, calling the typed xlsxwriter method for each cell."""

    def __init__(self, wb: xlsxwriter.Workbook, name: str, headers: Sequence[str], date_columns: set[int],
                 title: str | None = None) -> None:
        self.ws: Worksheet = wb.add_worksheet(name)
        self.date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.date_columns = date_columns
        self.row = 0
        if title is not None:
            self.ws.write_string(0, 0, title)
            self.row = 1
        bold = wb.add_format({"bold": True})
        for col, header in enumerate(headers):
            self.ws.write_string(self.row, col, header, bold)
        self.ws.set_column(0, len(headers) - 1, 16)
        self.row += 1

    def write(self, values: Sequence[Cell]) -> None:
        ws, r = self.ws, self.row
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, col, value)
            elif isinstance(value, dt.date):
                ws.write_number(r, col, serial(value), self.date_format)
            else:
                ws.write_number(r, col, value)
        self.row = r + 1


# ---- content --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Institution:
    code: str
    name: str
    district: str


class Generator:
    """Builds every sheet's rows for N placements from one seeded random stream."""

    def __init__(self, n: int) -> None:
        self.rng = random.Random(SEED + n)
        self.sizes = Sizes.of(n)
        rng = self.rng
        self.institutions = [
            Institution(code("MA", i + 1), f"合肥{ROOTS[i % len(ROOTS)]}第{i + 1}人力资源服务有限公司",
                        DISTRICTS[i % len(DISTRICTS)])
            for i in range(self.sizes.institutions)
        ]
        # a few large headhunters place most talent, so annual caps bite as they do in practice
        weights = [1 / (k + 1) ** 0.8 for k in range(len(self.institutions))]
        rng.shuffle(weights)
        self.placer_weights = list(_cumulative(weights))
        self.employers = [
            (f"合肥{ROOTS[i % len(ROOTS)]}{TRADES[i % len(TRADES)]}第{i + 1}有限公司", code("EM", i + 1),
             rng.random() < 0.6)
            for i in range(self.sizes.employers)
        ]
        span = (WINDOW_END - WINDOW_START).days + 1
        self.window_days = [WINDOW_START + dt.timedelta(days=d) for d in range(span)]
        self.outside_days = [WINDOW_START - dt.timedelta(days=d) for d in range(1, 60)]
        self.placed: list[tuple[str, str]] = []  # (placement_id, institution code), for history and claims

    def placements(self) -> Iterator[list[Cell]]:
        rng, insts, emps = self.rng, self.institutions, self.employers
        for i in range(self.sizes.placements):
            day = rng.choice(self.outside_days if rng.random() < OUTSIDE_WINDOW_SHARE else self.window_days)
            pid = f"LT{day.year}-{i + 1:07d}"
            inst = rng.choices(insts, cum_weights=self.placer_weights)[0]
            self.placed.append((pid, inst.code))
            emp_name, emp_code, key = emps[rng.randrange(len(emps))]
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
            talent = rng.choices(("", "A", "B", "C", "D", "E"), weights=(62, 4, 9, 9, 8, 8))[0]
            u = rng.random()
            urgent = YES if u < 0.35 else NO if u < 0.7 else None
            other = round(fee * rng.choice((0.05, 0.1, 0.2)), -3) if rng.random() < 0.06 else None
            emp_other = rng.choice((20_000, 50_000)) if out and urgent == YES and rng.random() < 0.1 else None
            yield [pid, inst.code, emp_name, emp_code, YES if key else NO, YES if out else NO, talent or None,
                   urgent, salary, fee, day, other, emp_other]

    def revenue(self) -> Iterator[list[Cell]]:
        rng = self.rng
        for inst in self.institutions:
            big = rng.random()
            base = rng.uniform(15_000, 350_000) if big < 0.15 else rng.uniform(500, 15_000)  # 万元
            growth = [rng.uniform(-0.05, 0.30) for _ in REVENUE_YEARS]
            without_first = rng.random() < 0.05  # prior_year_revenue column used instead of the 2023 row
            value = base
            for k, year in enumerate(REVENUE_YEARS):
                prior = value
                value = round(prior * (1 + growth[k]), 2)
                if k == 0 and without_first:
                    continue
                given_prior = round(prior, 2) if k == 1 and without_first else None
                other = rng.choice((20, 50)) * 10_000 if rng.random() < 0.03 else None
                yield [inst.code, year, value, given_prior, other]

    def recognitions(self) -> Iterator[list[Cell]]:
        rng = self.rng
        kinds = [k for k, _ in RECOGNITION_KINDS]
        weights = [w for _, w in RECOGNITION_KINDS]
        for inst in self.institutions:
            if rng.random() > 0.12:
                continue
            for j in range(1 + (rng.random() < 0.25)):
                kind = rng.choices(kinds, weights=weights)[0]
                day = rng.choice(self.window_days)
                reference = (f"第{j + 1}届中国创新创业大赛人力资源服务赛道" if kind == "国家级赛事获奖"
                             else f"皖认〔{day.year}〕{rng.randint(1, 999)}号")
                approved = rng.randint(5, 20) * 10_000 if kind in DISCRETIONARY and rng.random() < 0.7 else None
                yield [inst.code, kind, day, reference, approved, None]

    def parks(self) -> Iterator[list[Cell]]:
        rng = self.rng
        for p in range(self.sizes.parks):
            district = DISTRICTS[p % len(DISTRICTS)]
            name = f"{district}人力资源服务产业园{p + 1}号"
            levels = PARK_LEVELS[: 1 + (rng.random() < 0.3)]  # some parks come back at a higher level
            for level in levels:
                yield [f"YQ-{p + 1:03d}", name, district, level, rng.choice(self.window_days), None]

    def prior_awards(self) -> Iterator[list[Cell]]:
        rng, insts = self.rng, self.institutions
        for k in range(self.sizes.prior_headhunting):
            inst = rng.choices(insts, cum_weights=self.placer_weights)[0]
            day = dt.date(2024, rng.randint(7, 12), rng.randint(1, 28))
            tier = rng.choice(SALARY_TIERS)[1]
            yield [inst.code, rng.choice(("headhunting", "猎头引才奖励")), tier, f"LT-OLD-{k + 1:07d}",
                   rng.randint(2, 30) * 1000, day]
        # a few placements of this workbook were already paid: they must earn nothing again
        for pid, inst_code in rng.sample(self.placed, len(self.placed) // 200):
            yield [inst_code, "headhunting", "30万元档", pid, 12_000, dt.date(2024, 12, 20)]
        for inst in rng.sample(insts, len(insts) // 20):
            yield [inst.code, "营业收入增长奖励", "2亿元档", "2024", 100_000, dt.date(2025, 6, 30)]
        for p in range(0, self.sizes.parks, 7):
            yield [DISTRICTS[p % len(DISTRICTS)], "产业园建设补助", PARK_LEVELS[0], f"YQ-{p + 1:03d}", 500_000,
                   dt.date(2024, 12, 1)]

    def claims(self) -> Iterator[list[Cell]]:
        rng, insts = self.rng, self.institutions
        for _ in range(self.sizes.claims):
            if rng.random() < 0.5:
                record, payee = rng.choice(self.placed)
            else:
                record, payee = None, rng.choices(insts, cum_weights=self.placer_weights)[0].code
            yield [payee, "headhunting", record, 2025, rng.randint(1, 60) * 1000]


def _cumulative(weights: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


SHEETS: tuple[tuple[str, tuple[str, ...], str, str | None], ...] = (
    ("机构", ("统一社会信用代码", "机构名称", "所属区域", "从业人员数"), "institutions_rows", None),
    ("猎头引才", ("引才编号", "统一社会信用代码", "用人单位", "用人单位信用代码", "重点企业", "市外引进", "人才类别",
                "急需紧缺", "年税前薪酬", "猎头服务费", "引进日期", "其他政策已享受金额", "用人单位其他政策已享受金额"),
     "placements", "合肥市猎头机构引才奖励申报明细表"),
    ("营业收入", ("统一社会信用代码", "年度", "营业收入(万元)", "上年营业收入(万元)", "其他政策已享受金额"),
     "revenue", None),
    ("荣誉认定", ("统一社会信用代码", "类别", "日期", "文号或赛事名称", "核定金额", "其他政策已享受金额"),
     "recognitions", None),
    ("产业园", ("园区编号", "园区名称", "申报区域", "级别", "批准日期", "其他政策已享受金额"), "parks", None),
    ("历史兑现", ("受奖主体", "奖励项目", "档次", "关联记录", "金额", "兑现日期"), "prior_awards", None),
    ("申报", ("受奖主体", "奖励项目", "关联记录", "年度", "申报金额"), "claims", None),
)
DATE_HEADERS = {"引进日期", "日期", "批准日期", "兑现日期"}


def institutions_rows(gen: Generator) -> Iterator[list[Cell]]:
    for inst in gen.institutions:
        yield [inst.code, inst.name, inst.district, gen.rng.randint(5, 3000)]


def write(path: Path, n: int, *, inline_strings: bool = False) -> dict[str, int]:
    """Write the workbook for N placements to `path`; return the row count of each sheet."""
    gen = Generator(n)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": inline_strings, "use_zip64": n >= 500_000})
    wb.set_properties({"title": f"hrcalc benchmark, {n} placements (synthetic)",
                       "created": dt.datetime(2025, 1, 1)})
    counts: dict[str, int] = {}
    # placements go before the sheets that refer to their ids (prior awards, claims)
    rows_of: dict[str, Callable[[], Iterator[list[Cell]]]] = {
        "institutions_rows": lambda: institutions_rows(gen), "placements": gen.placements,
        "revenue": gen.revenue, "recognitions": gen.recognitions, "parks": gen.parks,
        "prior_awards": gen.prior_awards, "claims": gen.claims,
    }
    for name, headers, source, title in SHEETS:
        dates = {i for i, h in enumerate(headers) if h in DATE_HEADERS}
        sheet = SheetWriter(wb, name, headers, dates, title)
        count = 0
        for row in rows_of[source]():
            sheet.write(row)
            count += 1
        counts[name] = count
    wb.close()
    return counts


def cached(n: int, cache_dir: Path = CACHE_DIR, *, inline_strings: bool = False,
           log: Callable[[str], Any] | None = None) -> Path:
    """The path of the workbook for N placements, generated first if it is not in the cache."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"bench-v{GENERATOR_VERSION}-n{n}{'-inline' if inline_strings else ''}.xlsx"
    if path.exists():
        return path
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    start = time.perf_counter()
    try:
        counts = write(tmp, n, inline_strings=inline_strings)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if log is not None:
        size = path.stat().st_size / 1e6
        log(f"generated {path.name} in {time.perf_counter() - start:.1f} s ({size:.1f} MB): "
            + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=int, help="placement counts, e.g. 10000 100000")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--out", type=Path, help="write one workbook here instead of the cache")
    parser.add_argument("--inline-strings", action="store_true",
                        help="constant_memory mode: inline strings instead of a shared-string table")
    args = parser.parse_args(argv)
    if args.out is not None:
        if len(args.sizes) != 1:
            parser.error("--out takes exactly one size")
        print(write(args.out, args.sizes[0], inline_strings=args.inline_strings))
        return 0
    for n in args.sizes:
        print(cached(n, args.cache_dir, inline_strings=args.inline_strings,
                     log=lambda text: print(text, file=sys.stderr)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
