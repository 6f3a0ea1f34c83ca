"""Read the input workbook (.xlsx) into typed records and issues: headers, aliases, units, values.

Two layers. A *backend* opens the file and yields, per worksheet, its title and its rows as
(Excel row number, raw cell values); the openpyxl one is `openpyxl_sheets`. The *parsing layer*
(`read_sheets`) knows nothing about files: it matches sheets and headers (schema.py), parses
each cell with a function chosen once per column, and runs the cross-row checks of contract.md.
Every problem becomes an Issue; nothing stops at the first.

Before any backend sees the file, `check_file` says what a file that is not a workbook is, and
holds the zip to the limits of limits.py: a zip bomb is refused before it is unpacked. Between
backend and parsing layer, `read_workbook` holds every backend to the limits on sheets, rows
and columns, so a faster backend gets the same protection.

The default backend, `calamine_sheets`, reads with python-calamine (about five times faster than
openpyxl) when it is installed and the file suits it, and with openpyxl otherwise. calamine holds
each sheet as a dense grid, and aborts the interpreter (no exception) when the grid cannot be
allocated, as for a single cell at XFD1048576. So while check_file unpacks every part, it also
judges whether calamine may see the file (`_calamine_refusal`): every sheet must declare a
<dimension>, every cell must carry its reference first, no cell may lie beyond the dimension,
and the dimension must be small, both absolutely and against the cells the sheet holds (limits.py).
calamine then reads the very bytes that were judged. A file with anything calamine cannot report
as openpyxl does (formulas, whose missing results it shows as blanks; error and ISO-date cells;
phonetic runs; the 1904 calendar) goes to openpyxl too.
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
import struct
import unicodedata
import warnings
import zipfile
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, redirect_stdout
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import Context, Decimal, Inexact, InvalidOperation
from functools import lru_cache
from itertools import chain, islice, repeat
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, cast

from hrcalc.codes import credit_code_problem
from hrcalc.errors import InputFileError
from hrcalc.i18n import Msg, msg, register
from hrcalc.limits import DEFAULT_LIMITS, GIB, MIB, Limits
from hrcalc.policy import Policy
from hrcalc.records import (
    Claim,
    Institution,
    Issue,
    Park,
    Placement,
    PriorAward,
    Recognition,
    Records,
    RevenueYear,
    Severity,
    Source,
)
from hrcalc.schema import (
    BOOLEAN_WORDS,
    MONEY_UNITS,
    PARK_LEVEL_ALIASES,
    PARK_LEVEL_NAMES_ZH,
    RECOGNITION_KIND_ALIASES,
    RECOGNITION_KIND_NAMES_ZH,
    SHEET_ALIASES,
    SHEETS,
    ColumnSpec,
    SheetSpec,
    fold,
)


@dataclass(frozen=True, slots=True)
class FormulaWithoutValue:
    """A formula cell saved without its result: written by a program and never calculated."""

    formula: str

    def __str__(self) -> str:
        return "=" + self.formula


RawValue = str | int | float | bool | datetime | date | time | timedelta | FormulaWithoutValue | None
RawRow = tuple[int, tuple[RawValue, ...]]
"""An Excel row number (1-based) and the row's cell values from column A on. Rows must come in
increasing order; a backend may leave out rows without values."""

HEADER_SEARCH_ROWS = 10
_VALUE_CHARS = 60  # an over-long cell is shown this far in its issue
_MERGED_WORK = 1 << 22  # cells of merged ranges looked at per sheet, at most


@dataclass(frozen=True, slots=True)
class RawSheet:
    """One worksheet as a backend sees it: its title as written and its rows, read lazily.

    `state` is "visible", "hidden" or "veryHidden". `merged` lists the merged ranges as
    (min column, min row, max column, max row), 1-based; a backend may fill it only once the
    rows have been read (a sheet's XML lists them after its data).
    """

    title: str
    rows: Iterable[RawRow]
    state: str = "visible"
    merged: Sequence[tuple[int, int, int, int]] = ()


Backend = Callable[[Path], AbstractContextManager[Iterable[RawSheet]]]
"""Opens a checked file; yields its worksheets in order; closes the file on exit. Any problem
reading the file itself must surface as InputFileError. A backend that can tell a formula saved
without its result from a blank cell yields FormulaWithoutValue for it."""


# ---- messages -------------------------------------------------------------------------------

_KNOWN_KINDS_ZH = "、".join(RECOGNITION_KIND_NAMES_ZH.values())
_KNOWN_KINDS_EN = ", ".join(RECOGNITION_KIND_NAMES_ZH)
_KNOWN_LEVELS_ZH = "、".join(PARK_LEVEL_NAMES_ZH.values())
_KNOWN_LEVELS_EN = ", ".join(PARK_LEVEL_NAMES_ZH)
_SAVE_AS_ZH = "请在 Excel 中打开，另存为“Excel 工作簿 (*.xlsx)”后重试。"
_SAVE_AS_EN = 'Open it in Excel and save it as "Excel Workbook (*.xlsx)", then try again.'

register({
    # the file as a whole
    "read.file.missing": ("找不到文件：{path}。请检查路径和文件名。",
                          "File not found: {path}. Check the path and the file name."),
    "read.file.directory": ("{path} 是文件夹，不是文件：请给出 .xlsx 工作簿的路径。",
                            "{path} is a folder, not a file: give the path of the .xlsx workbook."),
    "read.file.not_regular": ("{path} 不是普通文件：请给出 .xlsx 工作簿的路径。",
                              "{path} is not a regular file: give the path of the .xlsx workbook."),
    "read.file.permission": ("没有权限读取文件：{path}。请检查文件权限，或先在 Excel 中关闭它。",
                             "No permission to read {path}. Check the file's permissions, or close "
                             "it in Excel first."),
    "read.file.os_error": ("无法读取文件 {path}：{detail}", "Cannot read {path}: {detail}"),
    "read.file.empty": ("文件是空的（0 字节）：{path}。请重新导出，或在 Excel 中另存为 .xlsx。",
                        "The file is empty (0 bytes): {path}. Export it again, or save it from "
                        "Excel as .xlsx."),
    "read.file.encrypted": ("文件已加密：{path}。请在 Excel 中取消密码（文件 → 信息 → 保护工作簿 → "
                            "用密码进行加密，清空密码）后另存为 .xlsx。",
                            "The file is password-protected: {path}. Remove the password in Excel "
                            "(File → Info → Protect Workbook → Encrypt with Password, clear it) and "
                            "save it as .xlsx."),
    "read.file.xls": ("这是旧版 Excel 97-2003 文件（.xls）：{path}。" + _SAVE_AS_ZH,
                      "This is an old Excel 97-2003 file (.xls): {path}. " + _SAVE_AS_EN),
    "read.file.ole": ("这是旧版或加密的 Office 文件，不是 .xlsx：{path}。请在 Excel 中打开，"
                      "取消密码（如有）后另存为“Excel 工作簿 (*.xlsx)”。",
                      "This is an old-format or password-protected Office file, not .xlsx: {path}. "
                      "Open it in Excel, remove any password and save it as "
                      '"Excel Workbook (*.xlsx)".'),
    "read.file.xlsb": ("这是 Excel 二进制工作簿（.xlsb）：{path}。" + _SAVE_AS_ZH,
                       "This is an Excel binary workbook (.xlsb): {path}. " + _SAVE_AS_EN),
    "read.file.not_xlsx": ("不是 Excel .xlsx 工作簿：{path}。CSV、WPS、PDF 等文件" + _SAVE_AS_ZH,
                           "Not an Excel .xlsx workbook: {path}. If it is a CSV, WPS or other file, open "
                           'it in Excel and save it as "Excel Workbook (*.xlsx)", then try again.'),
    "read.file.corrupt": ("无法读取工作簿 {path}：文件已损坏或不是有效的 .xlsx（{detail}）。{remedy}",
                          "Cannot read the workbook {path}: the file is damaged or not a valid "
                          ".xlsx ({detail}). {remedy}"),
    "read.remedy.save_as": (_SAVE_AS_ZH, _SAVE_AS_EN),
    "read.remedy.resend": ("请重新下载或复制该文件；如仍不行，请报送单位重新发送。",
                           "Download or copy the file again; if that does not help, ask the sender "
                           "for a new copy."),
    "read.file.unsafe_xml": ("工作簿含有 Excel 从不写入的 XML 实体声明（DTD/ENTITY），可能是恶意文件，"
                             "已拒绝读取：{path}。请勿在其他软件中打开它；请报送单位在 Excel 中重新保存为 "
                             ".xlsx 后再发送。",
                             "The workbook contains XML entity declarations (DTD/ENTITY) that Excel "
                             "never writes; it may be malicious and was not read: {path}. Do not open it "
                             "elsewhere; ask the sender to save it again from Excel as .xlsx."),
    "read.file.compression": ("工作簿中的部件 {part} 使用了 Excel 不使用的压缩方式（{method}），hrcalc "
                              "不解压此类数据：{path}。请在 Excel 中打开并另存为 .xlsx；打不开时请报送单位"
                              "重新发送。",
                              "The part {part} of the workbook is packed with {method}, which Excel "
                              "never uses; hrcalc does not unpack it: {path}. Open it in Excel and save "
                              "it as .xlsx; if Excel cannot open it, ask the sender for a new copy."),
    "read.detail.truncated": ("文件不完整，可能在下载或复制时中断",
                              "the file is incomplete, probably cut short while downloading or copying"),
    "read.detail.part": ("内部部件 {part} 已损坏", "its part {part} is damaged"),
    "read.detail.size_lie": ("内部部件 {part} 解压后比其声明的大小更大", "its part {part} unpacks to more "
                             "than it declares"),
    "read.detail.row_order": ("工作表“{sheet}”第 {row} 行出现在第 {last} 行之后",
                              'sheet "{sheet}" has row {row} after row {last}'),
    "read.detail.cell_twice": ("工作表“{sheet}”第 {row} 行有两个单元格位置相同",
                               'sheet "{sheet}" row {row} has two cells in one place'),
    # limits (limits.py)
    "read.limit.file_size": ("文件过大：{path} 有 {size}，超过 hrcalc 的文件大小上限 {limit}。请确认选对了"
                             "文件（报送工作簿通常只有几 MB）；如确需处理，请删除图片和无关的工作表后另存。",
                             "The file is too large: {path} is {size}, over hrcalc's file size limit "
                             "of {limit}. Check that it is the right file (a workbook is usually a few "
                             "MB); if so, delete pictures and unrelated sheets and save it again."),
    "read.limit.uncompressed": ("工作簿解压后将超过 {limit}（hrcalc 的解压后总大小上限），已拒绝读取："
                                "{path}。这不是正常的工作簿（可能是“压缩炸弹”）；请报送单位在 Excel 中"
                                "重新保存为 .xlsx 后再发送。",
                                "Unpacked, the workbook would exceed {limit} (hrcalc's limit on the "
                                "unpacked size); it was not read: {path}. This is not a normal workbook "
                                '(possibly a "zip bomb"); ask the sender to save it again from Excel as '
                                ".xlsx."),
    "read.limit.ratio": ("工作簿中的部件 {part} 压缩比为 {ratio}:1，超过 hrcalc 的压缩比上限 {limit}:1，"
                         "已拒绝读取：{path}。这不是正常的工作簿（可能是“压缩炸弹”）；请报送单位在 Excel "
                         "中重新保存为 .xlsx 后再发送。",
                         "The part {part} of the workbook is packed {ratio}:1, over hrcalc's "
                         "compression ratio limit of {limit}:1; it was not read: {path}. This is not a "
                         'normal workbook (possibly a "zip bomb"); ask the sender to save it again '
                         "from Excel as .xlsx."),
    "read.limit.entries": ("工作簿内部有 {count:,} 个部件，超过 hrcalc 的上限 {limit:,}：{path}。这不是正常的"
                           "工作簿；请在 Excel 中打开并另存为 .xlsx 后重试。",
                           "The workbook has {count:,} parts inside, over hrcalc's limit of {limit:,}: "
                           "{path}. This is not a normal workbook; open it in Excel and save it as "
                           ".xlsx, then try again."),
    "read.limit.read": ("读取 {path} 时数据量超过 hrcalc 的读取上限 {limit}：工作簿内部结构异常。"
                        + _SAVE_AS_ZH,
                        "Reading {path} went over hrcalc's read limit of {limit}: the workbook's inner "
                        "structure is abnormal. " + _SAVE_AS_EN),
    "read.file.shared_part": ("工作簿 {path} 中有多张工作表指向同一个内部部件：工作簿内部结构异常。" + _SAVE_AS_ZH,
                              "Several sheets of {path} point at one and the same part inside it: the "
                              "workbook's inner structure is abnormal. " + _SAVE_AS_EN),
    "read.limit.sheets": ("工作簿的工作表超过 {limit:,} 张（hrcalc 的工作表数量上限）：{path}。请删除无关的"
                          "工作表后另存为 .xlsx。",
                          "The workbook has more than {limit:,} sheets (hrcalc's limit): {path}. Delete "
                          "the unrelated sheets and save it as .xlsx."),
    "read.limit.rows": ("工作表“{sheet}”用到了第 {row:,} 行，超过 hrcalc 的每表行数上限 {limit:,}：{path}。"
                        "请删除多余的行后另存为 .xlsx。",
                        'Sheet "{sheet}" uses row {row:,}, over hrcalc\'s limit of {limit:,} rows per sheet: '
                        "{path}. Delete the extra rows and save it as .xlsx."),
    "read.limit.columns": ("工作表“{sheet}”的单元格 {cell} 有内容，超过 hrcalc 的每表列数上限 {limit:,} 列："
                           "{path}。请删除该处多余的内容后另存为 .xlsx。",
                           'Sheet "{sheet}" has a value in cell {cell}, beyond hrcalc\'s limit of '
                           "{limit:,} columns per sheet: {path}. Delete what is there and save it as "
                           ".xlsx."),
    # sheets and headers
    "read.no_sheets": ("工作簿中没有 hrcalc 的工作表。应至少有以下之一：{expected_zh}。",
                       "The workbook has none of hrcalc's sheets. Expected at least one of: "
                       "{expected_en}."),
    "read.sheet.unknown": ("不是 hrcalc 的工作表，已忽略。", "Not one of hrcalc's sheets; ignored."),
    "read.sheet.duplicate": ("与工作表“{other}”是同一种表，本表已忽略：请把两表合并为一张。",
                             'The same kind of sheet as "{other}"; this one is ignored: merge the '
                             "two into one sheet."),
    "read.header.not_found": ("前 10 行中找不到表头：表头行须包含 {missing_zh}。本表数据未读取。",
                              "No header row in the first 10 rows: it must hold {missing_en}. This "
                              "sheet's rows were not read."),
    "read.header.missing_required": ("缺少必填列：{missing_zh}。本表数据未读取。",
                                     "Missing required columns: {missing_en}. This sheet's rows "
                                     "were not read."),
    "read.header.duplicate": ("列重复：与 {other_column} 列“{other}”是同一列，请删除其中一列。"
                              "本表数据未读取。",
                              'Duplicate column: the same as column {other_column} "{other}"; '
                              "delete one of them. This sheet's rows were not read."),
    "read.header.unknown": ("不是本表的列，已忽略。", "Not a column of this sheet; ignored."),
    "read.header.bad_unit": ("无法识别的金额单位“{unit}”：可用 (元)、(万元)、(亿元)。本表数据未读取。",
                             'Unknown money unit "{unit}": use (yuan), (10k yuan) or (100m yuan), '
                             "or (元)/(万元)/(亿元). This sheet's rows were not read."),
    "read.header.unit_not_money": ("只有金额列可以带单位“{unit}”：请从表头中删除。本表数据未读取。",
                                   'Only money columns take a unit like "{unit}": remove it from '
                                   "the header. This sheet's rows were not read."),
    "read.sheet.hidden": ("此工作表在 Excel 中是隐藏的，其数据已照常读取：如不应计入，请删除该表。",
                          "This sheet is hidden in Excel; its rows were read as usual: delete the "
                          "sheet if they should not count."),
    "read.sheet.very_hidden": ("此工作表被设为“深度隐藏”（在 Excel 中看不到），其数据已照常读取：请核对；"
                               "如不应计入，请删除该表。",
                               'This sheet is "very hidden" (Excel does not show it); its rows were '
                               "read as usual: check them, and delete the sheet if they should not "
                               "count."),
    # cells
    "read.cell.required": ("必填项为空。", "A required value is missing."),
    "read.cell.number": ("不是数字：请只填数字，如 1234567.89 或 1,234,567.89。",
                         "Not a number: write digits only, e.g. 1234567.89 or 1,234,567.89."),
    "read.cell.unit_in_number": ("数字中不能带单位或百分号：请只填数字，单位写在表头，如“营业收入(万元)”。",
                                 "No units or percent signs inside a number: write the number "
                                 'only and put the unit in the header, e.g. "revenue (10k yuan)".'),
    "read.cell.number_too_long": ("数字位数过多。", "The number has too many digits."),
    "read.cell.negative": ("金额不能为负数。", "An amount must not be negative."),
    "read.cell.not_positive": ("金额必须大于 0。", "The amount must be greater than 0."),
    "read.cell.integer": ("应为 0 或正整数。", "Must be a whole number, 0 or more."),
    "read.cell.year": ("不是有效的年度：请填四位年份，如 2025。",
                       "Not a valid year: write four digits, e.g. 2025."),
    "read.cell.boolean": ("不是“是/否”：请填 是 或 否（也可 Y/N、yes/no、true/false、1/0、✓/✗）。",
                          "Not a yes/no value: write 是/否, Y/N, yes/no, true/false, 1/0 or ✓/✗."),
    "read.cell.date": ("不是日期：请填 2025-03-01、2025/3/1 或 2025年3月1日，或用 Excel 日期格式。",
                       "Not a date: write 2025-03-01, 2025/3/1 or 2025年3月1日, or use an Excel date."),
    "read.cell.no_such_date": ("日期不存在（如 2 月 30 日）：请核对年、月、日。",
                               "No such date (like 30 February): check the year, month and day."),
    "read.cell.code_length": ("统一社会信用代码应为 18 位，这里是 {length} 位。",
                              "A unified social credit code has 18 characters; this has {length}."),
    "read.cell.code_charset": ("统一社会信用代码含无效字符：只能是数字和大写字母（不含 I、O、S、V、Z）。",
                               "The credit code has invalid characters: only digits and capital "
                               "letters other than I, O, S, V, Z."),
    "read.cell.code_check": ("统一社会信用代码校验位不对：请逐位核对。",
                             "The credit code's check character is wrong: check each character."),
    "read.cell.talent_class": ("人才类别应为 A、B、C、D、E 之一（可写“A类”），或留空。",
                               'The talent class must be A, B, C, D or E (or "A类"), or blank.'),
    "read.cell.recognition_kind": (f"未知的认定类别：应为 {_KNOWN_KINDS_ZH} 之一。",
                                   f"Unknown kind: use one of {_KNOWN_KINDS_EN} (or the Chinese name)."),
    "read.cell.park_level": (f"未知的园区级别：应为 {_KNOWN_LEVELS_ZH} 之一。",
                             f"Unknown park level: use one of {_KNOWN_LEVELS_EN} (or the Chinese name)."),
    "read.cell.award": ("未知的奖励项目：请填奖励编号或中文名称：{known}。",
                        "Unknown award: use an award id or its Chinese name: {known}."),
    "read.cell.tier": ("未知的档次：请填档次编号或中文名称，如 50万元档、2亿元档、中国企业500强；"
                       "无档次的奖励留空。",
                       "Unknown tier: use a tier id or its Chinese name, e.g. salary_500k, "
                       "revenue_200m, china_top500; leave it blank for awards without tiers."),
    "read.cell.too_long": ("单元格有 {length:,} 个字符，超过上限 {limit:,}（一个 Excel 单元格最多 "
                           "32,767 个字符）：请缩短内容。",
                           "The cell has {length:,} characters, over the limit of {limit:,} (an Excel "
                           "cell holds at most 32,767): shorten it."),
    "read.cell.formula_no_value": ("公式没有保存计算结果（文件多由其他程序生成，未在 Excel 中计算过）："
                                   "请在 Excel 中打开、确认公式已算出结果后保存，或直接填写数值。",
                                   "The formula has no saved result (the file was probably written "
                                   "by a program and never calculated in Excel): open it in Excel, "
                                   "let it calculate and save it, or type the value."),
    "read.cell.merged": ("单元格在合并区域 {ref} 中，只有该区域第一格有值：请取消合并，并在每一行填写。",
                         "The cell is inside the merged range {ref}, which holds a value only in its "
                         "first cell: unmerge it and fill in every row."),
    "read.cell.excel_error": ("单元格是 Excel 错误值：请修正公式或直接填写数值。",
                              "The cell holds an Excel error value: fix the formula or type the value."),
    "read.cell.reference_required": ("国家级赛事获奖必须填写赛事名称，用于区分各次获奖。",
                                     "national_competition needs the competition's name as its "
                                     "reference, to tell prizes apart."),
    # across rows
    "read.dup.credit_code": ("统一社会信用代码重复：第 {other_row} 行已有此机构。",
                             "Duplicate credit code: row {other_row} already lists this institution."),
    "read.dup.placement_id": ("引才编号重复：与第 {other_row} 行相同。",
                              "Duplicate placement_id: the same as row {other_row}."),
    "read.dup.revenue_year": ("同一机构同一年度重复：第 {other_row} 行已有 {year} 年度。",
                              "Duplicate year: row {other_row} already has {year} for this institution."),
    "read.dup.competition": ("同一机构同一赛事重复：与第 {other_row} 行相同。",
                             "Duplicate prize: row {other_row} has the same institution and competition."),
    "read.dup.park_level": ("同一园区同一级别重复：与第 {other_row} 行相同。",
                            "Duplicate park and level: the same as row {other_row}."),
    "read.ref.unknown_institution": ("“机构”表中没有此统一社会信用代码：请先在“机构”表中登记该机构。",
                                     "This credit code is not in the institutions sheet: list the "
                                     "institution there first."),
    "read.revenue.prior_mismatch": ("上年营业收入 {given:money} 元与第 {other_row} 行 {prior_year} "
                                    "年度的营业收入 {actual:money} 元不一致：请核对，或清空本格。",
                                    "prior_year_revenue {given:money} differs from the {prior_year} "
                                    "revenue {actual:money} in row {other_row}: check it, or leave "
                                    "this cell blank."),
})  # fmt: skip

_CODE_PROBLEMS = {
    "code.length": "read.cell.code_length",
    "code.charset": "read.cell.code_charset",
    "code.check": "read.cell.code_check",
}

# ---- the file itself ------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_SCAN_BYTES = 64 * 1024 * 1024
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_CENTRAL_ENTRY_BYTES = 1024  # a generous size for one central-directory entry with its name
_METHODS = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "Deflate64", 93: "Zstandard",
            99: "AES"}
_DETAIL_CHARS = 160


def _file_error(key: str, path: Path, **params: Any) -> InputFileError:
    if key == "read.file.corrupt":
        params.setdefault("remedy", msg("read.remedy.save_as"))  # Excel may repair it
    return InputFileError(msg(key, path=str(path), **params))


def _detail(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > _DETAIL_CHARS:
        text = text[: _DETAIL_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _size(n: int) -> str:
    for unit, factor in (("GB", GIB), ("MB", MIB), ("KB", 1024)):
        if n >= factor:
            value = n / factor
            return f"{value:.0f} {unit}" if value >= 10 or value.is_integer() else f"{value:.1f} {unit}"
    return f"{n} B"


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it, outermost first (openpyxl wraps what went wrong)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _unreadable(path: Path, exc: BaseException) -> InputFileError:
    """The one message for anything a backend raised while reading the file."""
    causes = _causes(exc)
    for cause in causes:
        if isinstance(cause, InputFileError):
            return cause
        if type(cause).__module__.startswith("defusedxml"):
            return _file_error("read.file.unsafe_xml", path)
        if isinstance(cause, PermissionError):
            return _file_error("read.file.permission", path)
    return _file_error("read.file.corrupt", path, detail=_detail(causes[-1]))


@contextmanager
def _opened(path: Path) -> Iterator[BinaryIO]:
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise _file_error("read.file.missing", path) from None
    except PermissionError:
        raise _file_error("read.file.permission", path) from None
    except OSError as exc:
        raise _file_error("read.file.os_error", path, detail=_detail(exc)) from None
    with fh:
        yield fh


def check_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise InputFileError unless `path` is a readable .xlsx within `limits`.

    Looks at the file's kind, size and first bytes, so the message can say what the file is
    and what to do, rather than what went wrong deep inside a zip reader. Then, before any XML
    is parsed, checks the zip: its parts' compression methods, declared sizes and ratios, and
    unpacks every part once, counting, to check that no part holds more than it declares
    (a zip bomb is refused here, whatever its headers say).
    """
    _check(path, limits, judge=False)


def _check(path: Path, limits: Limits, judge: bool) -> tuple[bytes, str | None, int]:
    """check_file; with `judge`, also the file's bytes as checked, why calamine may not read them
    and the cells its sheets' grids may hold in all."""
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise _file_error("read.file.missing", path) from None
    except PermissionError:
        raise _file_error("read.file.permission", path) from None
    except (OSError, ValueError) as exc:
        raise _file_error("read.file.os_error", path, detail=_detail(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise _file_error("read.file.directory", path)
    if not stat.S_ISREG(st.st_mode):
        raise _file_error("read.file.not_regular", path)
    if st.st_size == 0:
        raise _file_error("read.file.empty", path)
    try:
        with _opened(path) as fh:
            head = fh.read(8)
            if head.startswith(_OLE_MAGIC):
                blob = head + fh.read(_OLE_SCAN_BYTES)
                if _ENCRYPTED_STREAM in blob:
                    raise _file_error("read.file.encrypted", path)
                if any(name in blob for name in _XLS_STREAMS):
                    raise _file_error("read.file.xls", path)
                raise _file_error("read.file.ole", path)
            if not head.startswith(_ZIP_MAGICS):
                raise _file_error("read.file.not_xlsx", path)
            if st.st_size > limits.max_file_bytes:
                raise _file_error("read.limit.file_size", path, size=_size(st.st_size),
                                  limit=_size(limits.max_file_bytes))
            if not judge:
                _check_archive(fh, path, limits)
                return b"", "not judged", 0
            fh.seek(0)
            data = fh.read(limits.max_file_bytes + 1)
            if len(data) > limits.max_file_bytes:  # it grew since it was looked at
                raise _file_error("read.limit.file_size", path, size=_size(len(data)),
                                  limit=_size(limits.max_file_bytes))
            refusal, cells = _check_archive(io.BytesIO(data), path, limits, judge=True)
            return data, refusal, cells
    except PermissionError:
        raise _file_error("read.file.permission", path) from None
    except OSError as exc:
        raise _file_error("read.file.os_error", path, detail=_detail(exc)) from None


def _end_record(fh: BinaryIO) -> tuple[int, int] | None:
    """(number of parts, size of the central directory) from the zip's end record, if it has one."""
    end = fh.seek(0, os.SEEK_END)
    tail_len = min(end, _END_RECORD.size + 0xFFFF)
    fh.seek(end - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END_RECORD.size:
        return None
    fields_ = _END_RECORD.unpack_from(tail, at)
    entries, cd_size = fields_[4], fields_[5]
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and at >= _ZIP64_LOCATOR.size:
        locator = _ZIP64_LOCATOR.unpack_from(tail, at - _ZIP64_LOCATOR.size)
        if locator[0] == b"PK\x06\x07" and locator[2] < end:
            fh.seek(locator[2])
            record = fh.read(56)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                entries, cd_size = struct.unpack_from("<QQ", record, 32)
    return entries, cd_size


def _check_archive(fh: BinaryIO, path: Path, limits: Limits, judge: bool = False) -> tuple[str | None, int]:
    """Check the zip (see check_file); with `judge`, also say why calamine may not read it, if so,
    and how many cells its sheets' grids may hold in all."""
    found = _end_record(fh)
    if found is None:
        # it starts like a zip but its directory, kept at the end, is gone: cut short
        raise _file_error("read.file.corrupt", path, detail=msg("read.detail.truncated"),
                          remedy=msg("read.remedy.resend"))
    entries, cd_size = found
    if entries > limits.max_zip_entries or cd_size > limits.max_zip_entries * _CENTRAL_ENTRY_BYTES:
        raise _file_error("read.limit.entries", path, count=entries, limit=limits.max_zip_entries)
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError,
            struct.error) as exc:
        raise _file_error("read.file.corrupt", path, detail=_detail(exc)) from None
    names = {info.filename for info in infos}
    if "xl/workbook.bin" in names:
        raise _file_error("read.file.xlsb", path)
    if not any(name.startswith("xl/") for name in names):
        raise _file_error("read.file.not_xlsx", path)
    if len(infos) > limits.max_zip_entries:
        raise _file_error("read.limit.entries", path, count=len(infos), limit=limits.max_zip_entries)
    total = 0
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = _METHODS.get(info.compress_type, f"#{info.compress_type}")
            raise _file_error("read.file.compression", path, part=info.filename, method=method)
        if info.flag_bits & 0x1:
            raise _file_error("read.file.encrypted", path)
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise _file_error("read.limit.uncompressed", path, limit=_size(limits.max_uncompressed_bytes))
        if (info.file_size > limits.ratio_applies_above
                and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)):
            raise _file_error("read.limit.ratio", path, part=info.filename,
                              ratio=info.file_size // max(info.compress_size, 1),
                              limit=limits.max_compression_ratio)
    end = fh.seek(0, os.SEEK_END)
    refusal = None
    tally = [0, 0, 0]  # sheets the workbook lists, parts that are sheets, cells of their grids
    for info in sorted(infos, key=lambda i: i.header_offset):
        if not 0 <= info.header_offset < end:  # a directory pointing outside the file
            raise _file_error("read.file.corrupt", path, detail=msg("read.detail.part", part=info.filename),
                          remedy=msg("read.remedy.resend"))
        if not judge or refusal is not None:
            _verify_part(fh, path, info)
        elif info.file_size > limits.calamine_max_part_bytes:
            _verify_part(fh, path, info)
            refusal = f"{info.filename} unpacks to {_size(info.file_size)}"
        else:
            sink: list[bytes] = []
            _verify_part(fh, path, info, sink)
            refusal = _calamine_refusal(info.filename, b"".join(sink), limits, tally)
    if refusal is None and tally[0] > tally[1]:
        # two sheets on one part: openpyxl reads it within a budget, calamine would not
        refusal = f"{tally[0]} sheets listed, {tally[1]} sheet parts"
    return refusal, tally[2]


def _verify_part(fh: BinaryIO, path: Path, info: zipfile.ZipInfo, sink: list[bytes] | None = None) -> None:
    """Unpack one part, never more than it declares, and check its size and checksum.

    The unpacked data is appended to `sink` when one is given.
    """
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _file_error("read.file.corrupt", path, detail=msg("read.detail.part", part=info.filename),
                          remedy=msg("read.remedy.resend"))
    name_len, extra_len = _LOCAL_HEADER.unpack(header)[-2:]
    fh.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    declared = info.file_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left = info.compress_size
    produced = 0
    crc = 0
    try:
        while left > 0 and not (inflater is not None and inflater.eof):
            chunk = fh.read(min(left, _CHUNK))
            if not chunk:
                break
            left -= len(chunk)
            while chunk:
                if inflater is None:
                    data, chunk = chunk, b""
                else:
                    # never more than one byte past what the part declares: enough to catch a lie
                    data = inflater.decompress(chunk, min(_CHUNK, declared - produced + 1))
                    chunk = inflater.unconsumed_tail
                produced += len(data)
                if produced > declared:
                    raise _file_error("read.file.corrupt", path, remedy=msg("read.remedy.resend"),
                                      detail=msg("read.detail.size_lie", part=info.filename))
                crc = zlib.crc32(data, crc)
                if sink is not None:
                    sink.append(data)
                if inflater is not None and inflater.eof:
                    break
    except zlib.error as exc:
        raise _file_error("read.file.corrupt", path, detail=_detail(exc)) from None
    if produced != declared or crc != info.CRC or (inflater is not None and not inflater.eof):
        raise _file_error("read.file.corrupt", path, detail=msg("read.detail.part", part=info.filename),
                          remedy=msg("read.remedy.resend"))


class _BoundedZip(zipfile.ZipFile):
    """A zip whose parts may be read only so much in total, however often a reader reopens them.

    check_file has verified each part's size; this bounds what a backend reads from the
    verified parts, so a workbook whose thousand sheets all point at one large part cannot make
    the reader unpack it a thousand times.
    """

    def __init__(self, file: BinaryIO, path: Path, budget: int, limit: int) -> None:
        super().__init__(file)
        self._path = path
        self._left = budget
        self._limit = limit

    def spend(self, n: int) -> None:
        self._left -= n
        if self._left < 0:
            raise _file_error("read.limit.read", self._path, limit=_size(self._limit))

    def open(self, name: str | zipfile.ZipInfo, mode: Literal["r", "w"] = "r", pwd: bytes | None = None,
             *, force_zip64: bool = False) -> IO[bytes]:
        fp = super().open(name, mode, pwd, force_zip64=force_zip64)
        return cast(IO[bytes], _CountedReader(fp, self)) if mode == "r" else fp


class _CountedReader(io.BufferedIOBase):
    """A part of a _BoundedZip being read: every byte counts against the zip's budget."""

    def __init__(self, raw: IO[bytes], owner: _BoundedZip) -> None:
        super().__init__()
        self._raw = raw
        self._owner = owner

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        if size is None or size < 0:
            parts = []
            while data := self.read(_CHUNK):
                parts.append(data)
            return b"".join(parts)
        data = self._raw.read(size)
        self._owner.spend(len(data))
        return data

    def read1(self, size: int = -1, /) -> bytes:
        return self.read(size)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _CellTwice(Exception):
    """Two cells of one row claim the same column: only a program writes that."""


@lru_cache(maxsize=1)
def _row_parser() -> type[Any]:
    """openpyxl's sheet parser, giving each row as its values from column A on.

    It tells a formula without a saved result from a blank cell: in data-only mode openpyxl
    gives both as None, and read as blank, a formula in an optional money column would silently
    become "nothing", so it is marked instead. Cells that hold nothing (only a style) do not
    widen the row.
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class RowParser(WorkSheetParser):  # type: ignore[misc]
        def parse_row(self, row: Any) -> tuple[int, list[RawValue]]:
            number, cells = super().parse_row(row)
            values: list[RawValue] = []
            for element, cell in zip(row, cells, strict=False):
                value = cell["value"]
                if value is None:
                    formula = element.find(FORMULA_TAG)
                    # a formula whose result is empty text is saved as t="str" with an empty <v>
                    if formula is None or (element.get("t") == "str" and element.find(VALUE_TAG) is not None):
                        continue
                    value = FormulaWithoutValue(formula.text or "")
                column = cell["column"]
                width = len(values)
                if column == width + 1:  # the usual case: the next column
                    values.append(value)
                elif column > width:
                    values.extend(repeat(None, column - width - 1))
                    values.append(value)
                elif column < 1 or values[column - 1] is not None:
                    raise _CellTwice(number)
                else:
                    values[column - 1] = value
            return number, values

    return RowParser


@contextmanager
def openpyxl_sheets(path: Path) -> Iterator[Iterable[RawSheet]]:
    """The openpyxl backend: read-only, cached values of formulas, worksheets only.

    openpyxl parses the XML with defusedxml when it is installed (a declared dependency), so
    entity-expansion tricks in a hostile file are refused rather than expanded. The zip is
    opened through _BoundedZip, so however the workbook's parts refer to each other, no more
    than a few times its verified unpacked size is ever read.
    """
    from openpyxl.reader.excel import ExcelReader

    with _opened(path) as fh:
        try:
            # styles or extensions openpyxl does not know are no concern of a data reader; and
            # openpyxl print()s about a style index out of range, which would land in --json -
            with warnings.catch_warnings(), redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                # a file object, not the name: the content decides, not the extension
                reader = ExcelReader(fh, read_only=True, data_only=True, keep_links=False)
                unpacked = sum(info.file_size for info in reader.archive.infolist())
                reader.archive.close()
                limits = DEFAULT_LIMITS
                budget = limits.read_factor * unpacked + limits.read_slack
                reader.archive = _BoundedZip(fh, path, budget, budget)
                reader.valid_files = reader.archive.namelist()
                reader.read()
                wb = reader.wb
        except Exception as exc:  # anything openpyxl raises here means the file is unreadable
            raise _unreadable(path, exc) from None
        try:
            yield _openpyxl_iter(wb, path)
        finally:
            wb.close()


def _openpyxl_iter(wb: Any, path: Path) -> Iterator[RawSheet]:
    try:
        worksheets = list(wb.worksheets)  # chartsheets are not in this list
    except Exception as exc:
        raise _unreadable(path, exc) from None
    for ws in worksheets:
        merged: list[tuple[int, int, int, int]] = []
        yield RawSheet(str(ws.title), _openpyxl_rows(ws, path, merged), str(ws.sheet_state), merged)


def _openpyxl_rows(ws: Any, path: Path, merged: list[tuple[int, int, int, int]]) -> Iterator[RawRow]:
    """The sheet's rows that hold a value, as written: missing and blank rows are not yielded.

    Reads the sheet XML directly (not through ws.iter_rows), so rows are not padded to the
    sheet's width or filled in between: a stray cell at XFD1048576 costs one row, not a million.
    """
    from openpyxl.utils import range_boundaries

    wb = ws.parent
    try:
        with ws._get_source() as src:
            parser = _row_parser()(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                   date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            for number, values in parser.parse():
                if values:
                    yield number, tuple(values)
            if parser.merged_cells is not None:
                merged.extend(range_boundaries(m.ref) for m in parser.merged_cells.mergeCell)
    except _CellTwice as twice:
        raise _file_error("read.file.corrupt", path, detail=msg(
            "read.detail.cell_twice", sheet=ws.title, row=twice.args[0])) from None
    except InputFileError:
        raise
    except Exception as exc:  # broken XML or zip data inside a sheet
        raise _unreadable(path, exc) from None


# ---- the fast backend: python-calamine, where it is safe and faithful -------------------------

_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})([1-9][0-9]{0,6})(?::([A-Z]{1,3})([1-9][0-9]{0,6}))?"\s*/>')
_CELL = b'<c r="'
# a start tag named c that is not `<c r="A1"` (a cell), nor one of the worksheet elements whose
# names start with c (cols/col/color…, cfRule/cfvo, conditionalFormatting/controls, custom…,
# cellWatches, cellSmartTags); {beyond} is filled in with the references past the dimension
_ODD_CELL = (rb'<c(?: r="{beyond}|(?! r="[A-Z]{{1,3}}[1-9][0-9]{{0,6}}")(?!ol|f|on|ust|ellW|ellS))')
_PREFIXED = re.compile(rb":[cf][\s/>]")  # <x:c …> or <x:f …>: cells and formulas under a prefix
_ERROR_OR_DATE = re.compile(rb' t="[ed]"')
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_DATE1904 = re.compile(rb'date1904="(?:1|true)"')
_SHEET_MARKS = (b"sheetData", b"dimension", _CELL)
_OTHER_SHEETS = (b"<chartsheet", b":chartsheet", b"<dialogsheet", b":dialogsheet", b"macrosheet")
_LISTED_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\s")
_ROW = re.compile(rb'<row r="([0-9]{1,7})"')
_BIG_FLOAT = 2.0**53  # whole floats below this are exact ints (a cell-type mapping, not money arithmetic)


def _column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + ch - 64
    return n


def _beyond(last: bytes, alphabet: bytes, top: int, tail: bytes) -> bytes:
    """A regex for the references of `last`'s kind (column letters or row digits) after it.

    References longer than `last` (up to `top` characters), or as long and greater, when
    followed by `tail`; `alphabet` is the character range, e.g. b"A-Z".
    """
    final = alphabet[-1:]
    options = []
    if len(last) < top:
        options.append(b"[%s]{%d,%d}%s" % (alphabet, len(last) + 1, top, tail))
    for i in range(len(last)):
        if last[i:i + 1] != final:
            options.append(re.escape(last[:i]) + b"[%s-%s]" % (bytes([last[i] + 1]), final)
                           + b"[%s]{%d}%s" % (alphabet, len(last) - i - 1, tail))
    return b"(?:" + b"|".join(options or [b"(?!)"]) + b")"


def _calamine_refusal(name: str, data: bytes, limits: Limits, tally: list[int]) -> str | None:
    """Why calamine must not read a workbook holding this part, or None if it may.

    calamine lays each sheet out as a grid from A1 to its last cell (and sizes it by the
    declared <dimension>); a grid too large aborts the interpreter. So in a sheet the dimension
    must be declared once and be small, every cell must start with its reference, and no
    reference may lie beyond the dimension. Byte searches and one regex pass, no per-cell Python
    work. Anything unusual refuses: the price of a false refusal is only openpyxl's speed.
    Also refused: what calamine does not report as openpyxl does (formulas, whose missing
    results it reads as blank; error and ISO-date cells; phonetic runs; the 1904 calendar;
    rows without a number or out of order). `tally` counts the sheets the workbook lists,
    the parts that are sheets (each sheet must have its own part) and their grids' cells.
    """
    if b"<!" in data:  # a DTD above all (openpyxl refuses it, with its message), or CDATA
        return f"{name}: a DTD, comment or CDATA"
    if b"<rPh" in data:
        return f"{name}: phonetic runs"
    if _ESCAPE.search(data):  # calamine decodes _x0001_ as Excel does; openpyxl keeps it as written
        return f"{name}: _xHHHH_ escapes"
    if not any(mark in data for mark in _SHEET_MARKS):
        if any(mark in data for mark in _OTHER_SHEETS):
            tally[1] += 1
            return None
        tally[0] += len(_LISTED_SHEET.findall(data))
        return f"{name}: the 1904 calendar" if _DATE1904.search(data) else None
    tally[1] += 1
    if b"<f" in data or _PREFIXED.search(data):
        return f"{name}: formulas or prefixed cells"
    if _ERROR_OR_DATE.search(data):
        return f"{name}: error or ISO-date cells"
    found = _DIMENSION.search(data)
    if found is None or data.count(b"dimension") != 1:
        return f"{name}: no single, plain <dimension>"
    first_col, first_row, last_col, last_row = found.groups()
    if not last_col:
        last_col, last_row = first_col, first_row
    columns, height = _column_number(last_col), int(last_row)
    if _column_number(first_col) > columns or int(first_row) > height:
        return f"{name}: a <dimension> that ends before it starts"
    if columns > limits.calamine_max_columns:
        return f"{name}: declares column {columns:,}"
    cells = data.count(_CELL)
    rows = [int(n) for n in _ROW.findall(data)]
    if (len(rows) != data.count(b"<row ") + data.count(b"<row>")
            or any(b <= a for a, b in zip(rows, islice(rows, 1, None), strict=False))):
        return f"{name}: rows without a number, or out of order"
    allowed = min(limits.calamine_max_cells,
                  max(limits.calamine_free_cells, limits.calamine_cells_per_value * cells))
    if columns * height > allowed:
        return f"{name}: declares {columns * height:,} cells for {cells:,} values"
    beyond = (_beyond(last_col, b"A-Z", 3, b"[0-9]") + b"|[A-Z]{1,3}" + _beyond(last_row, b"0-9", 7, b'"'))
    odd = re.compile(_ODD_CELL.replace(b"{beyond}", b"(?:" + beyond + b")").replace(b"{{", b"{")
                     .replace(b"}}", b"}"))
    if odd.search(data):
        return f"{name}: a cell beyond its <dimension>, or not plainly referenced"
    tally[2] += columns * height
    return None


def _from_calamine(path: Path, exc: BaseException) -> BaseException:
    """What to raise for an exception out of calamine: a panic of its Rust code is a
    BaseException (pyo3's PanicException), so only what must pass through passes through."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError, InputFileError)):
        return exc
    return _unreadable(path, exc)


@lru_cache(maxsize=1)
def _calamine() -> Any:
    try:
        import python_calamine
    except ImportError:
        return None
    return python_calamine


def default_backend() -> Backend:
    """calamine_sheets when python-calamine is installed, else openpyxl_sheets."""
    return calamine_sheets if _calamine() is not None else openpyxl_sheets


def calamine_refusal(path: Path, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why calamine_sheets would read `path` with openpyxl, or None if calamine reads it.

    Raises InputFileError as check_file does.
    """
    if _calamine() is None:
        return "python-calamine is not installed"
    return _check(path, limits, judge=True)[1]


@contextmanager
def calamine_sheets(path: Path) -> Iterator[Iterable[RawSheet]]:
    """The fast backend: python-calamine on the checked bytes where safe and faithful, else openpyxl."""
    with _judged(path, DEFAULT_LIMITS) as sheets:
        yield sheets


@contextmanager
def _judged(path: Path, limits: Limits) -> Iterator[Iterable[RawSheet]]:
    calamine = _calamine()
    if calamine is None:
        check_file(path, limits)
        refusal: str | None = "python-calamine is not installed"
        data, budget = b"", 0
    else:
        data, refusal, budget = _check(path, limits, judge=True)
    if refusal is not None:
        with openpyxl_sheets(path) as sheets:
            yield sheets
        return
    try:
        wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = list(wb.sheets_metadata)
    except BaseException as exc:  # calamine's own errors, or a Rust panic (a BaseException)
        raise _from_calamine(path, exc) from None
    try:
        yield _calamine_iter(calamine, wb, metadata, path, budget)
    finally:
        wb.close()


def _calamine_iter(calamine: Any, wb: Any, metadata: list[Any], path: Path, budget: int) -> Iterator[RawSheet]:
    """The worksheets; their grids may hold `budget` cells in all, what the judged parts declare:
    more means two sheets share a part (which the judge cannot see), so reading stops."""
    visible = calamine.SheetVisibleEnum
    for index, meta in enumerate(metadata):
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue  # chart, dialog and macro sheets: openpyxl's worksheets leave them out too
        state = ("hidden" if meta.visible == visible.Hidden
                 else "veryHidden" if meta.visible == visible.VeryHidden else "visible")
        try:
            sheet = wb.get_sheet_by_index(index)
            merged = [(c0 + 1, r0 + 1, c1 + 1, r1 + 1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
            budget -= sheet.height * sheet.width
        except BaseException as exc:
            raise _from_calamine(path, exc) from None
        if budget < 0:
            raise _file_error("read.file.shared_part", path)
        yield RawSheet(str(meta.name), _calamine_rows(sheet, path), state, merged)


def _calamine_rows(sheet: Any, path: Path) -> Iterator[RawRow]:
    """The sheet's rows that hold a value, with openpyxl's values: blanks are None, not '';
    whole numbers are int; a date is a datetime at midnight."""
    start = sheet.start
    if start is None:
        return
    first_row, first_col = start
    pad: tuple[RawValue, ...] = (None,) * first_col
    big = _BIG_FLOAT
    try:
        for number, row in enumerate(sheet.iter_rows(), start=first_row + 1):
            values: list[Any] = list(row)
            last = -1
            for j, v in enumerate(values):
                cls = v.__class__
                if cls is str:
                    if v:
                        last = j
                    else:
                        values[j] = None
                elif cls is float:
                    if v.is_integer() and -big < v < big:
                        values[j] = int(v)
                    last = j
                elif cls is date:
                    values[j] = datetime(v.year, v.month, v.day)
                    last = j
                else:
                    last = j
            if last >= 0:
                del values[last + 1:]
                yield number, pad + tuple(values)
    except BaseException as exc:
        raise _from_calamine(path, exc) from None


def _bounded(sheets: Iterable[RawSheet], limits: Limits, path: Path) -> Iterator[RawSheet]:
    """Any backend's sheets, held to the limits on sheets, rows and columns."""
    for count, sheet in enumerate(sheets, start=1):
        if count > limits.max_sheets:
            raise _file_error("read.limit.sheets", path, limit=limits.max_sheets)
        yield RawSheet(sheet.title, _bounded_rows(sheet.title, sheet.rows, limits, path), sheet.state,
                       sheet.merged)


def _bounded_rows(title: str, rows: Iterable[RawRow], limits: Limits, path: Path) -> Iterator[RawRow]:
    last = 0
    max_rows, max_columns = limits.max_rows, limits.max_columns
    for number, cells in rows:
        if number <= last:
            raise _file_error("read.file.corrupt", path, detail=msg(
                "read.detail.row_order", sheet=title, row=number, last=last))
        if number > max_rows:
            raise _file_error("read.limit.rows", path, sheet=title, row=number, limit=max_rows)
        last = number
        if len(cells) > max_columns:
            for index in range(max_columns, len(cells)):
                if not _is_blank(cells[index]):
                    raise _file_error("read.limit.columns", path, sheet=title, limit=max_columns,
                                      cell=f"{_column_letter(index)}{number}")
            cells = cells[:max_columns]
        yield number, cells


def read_workbook(path: Path, policy: Policy, backend: Backend | None = None,
                  limits: Limits = DEFAULT_LIMITS) -> Records:
    """Read the input workbook at `path`: every record that is valid, and every problem found.

    `backend` defaults to `default_backend()`. Raises InputFileError when the file cannot be
    opened or read at all, or breaks one of the `limits`; problems with the data itself are
    Issues in the result, never exceptions.
    """
    if backend is None:
        backend = default_backend()
    opened: AbstractContextManager[Iterable[RawSheet]]
    if backend is calamine_sheets:
        opened = _judged(path, limits)  # checks the file as check_file does, and judges it
    else:
        check_file(path, limits)
        opened = backend(path)
    with opened as sheets:
        return read_sheets(_bounded(sheets, limits, path), policy, limits)


# ---- cells ------------------------------------------------------------------------------------


class _CellError(Exception):
    """A cell that does not read as its column's kind; key is a registered message key."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


Parser = Callable[[Any], Any]

_EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})  # fmt: skip
_NUMBER_TEXT = re.compile(r"([+-]?)\s*¥?\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)")
_UNIT_WORDS = re.compile(r"[万亿千百元%‰]|yuan|rmb|cny", re.IGNORECASE)
_DATE_TEXT = re.compile(
    r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_TEXT_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_YEAR_TEXT = re.compile(r"(\d{4})\s*(?:年度?)?")
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation])
_ONE = Decimal(1)
_MIN_YEAR, _MAX_YEAR = 1900, 2999


def _nfkc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _raw_text(value: RawValue) -> str | None:
    """A raw cell value as a string, for an Issue's `value`."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _as_text(value: Any) -> str:
    if value.__class__ is str:
        return str(value)
    text = _raw_text(value)
    return "" if text is None else text


def _is_blank(value: Any) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


def _text_parser(ident: bool) -> Parser:
    def parse(value: Any) -> str:
        text = _as_text(value)
        if ident:
            text = _nfkc(text)
        text = text.strip()
        if text[:1] == "#" and text in _EXCEL_ERRORS:
            raise _CellError("read.cell.excel_error")
        return text

    return parse


_ident_parser = _text_parser(True)


def _payee_parser(value: Any) -> str:
    text: str = _ident_parser(value)
    upper = text.upper()
    # a credit code is compared in upper case; a district name is kept as written
    return upper if len(upper) == 18 and _code_problem(upper) is None else text


# yes/no words, classes, kinds and award names repeat down a column: fold each spelling once
_fold_word = lru_cache(maxsize=4096)(fold)
# the same institution and employer codes recur on thousands of rows: check each once
_code_problem = lru_cache(maxsize=1 << 16)(credit_code_problem)


_CODES: dict[str, str] = {}  # a valid code's cell text → the code; bounded by _CODES_KEPT
_CODES_KEPT = 1 << 16


def _code_parser(value: Any) -> str:
    if value.__class__ is str:
        known = _CODES.get(value)
        if known is not None:
            return known
    code = _nfkc(_as_text(value)).strip().upper()
    problem = _code_problem(code)
    if problem is not None:
        raise _CellError(_CODE_PROBLEMS.get(problem, "read.cell.code_check"), length=len(code))
    if value.__class__ is str and len(_CODES) < _CODES_KEPT:
        _CODES[value] = code
    return code


def _number_text(text: str) -> Decimal:
    """Digits with optional sign, ¥, thousands separators and decimals: exact Decimal."""
    text = _nfkc(text).strip()
    m = _NUMBER_TEXT.fullmatch(text)
    if m is None:
        if _UNIT_WORDS.search(text):
            raise _CellError("read.cell.unit_in_number")
        raise _CellError("read.cell.number")
    digits = m.group(2).replace(",", "")
    if len(digits) > 40:
        raise _CellError("read.cell.number_too_long")
    return Decimal(m.group(1) + digits)


def _number(value: Any) -> Decimal:
    cls = value.__class__
    if cls is int:
        return Decimal(value)
    if cls is float:
        if not math.isfinite(value):
            raise _CellError("read.cell.number")
        # repr is the shortest text that round-trips: what Excel showed, not the binary float
        return Decimal(repr(value))
    if cls is str:
        return _number_text(value)
    raise _CellError("read.cell.number")


def _money_parser(unit: Decimal, positive: bool) -> Parser:
    scaled = unit != _ONE

    def parse(value: Any) -> Decimal:
        amount = _number(value)
        if scaled:
            try:
                amount = _EXACT.multiply(amount, unit)
            except (Inexact, InvalidOperation):
                raise _CellError("read.cell.number_too_long") from None
        if amount.is_signed():
            if not amount.is_zero():
                raise _CellError("read.cell.negative")
            amount = amount.copy_abs()
        if positive and amount.is_zero():
            raise _CellError("read.cell.not_positive")
        return amount

    return parse


def _whole(value: Any, key: str) -> int:
    number = _number(value)
    if number != number.to_integral_value():
        raise _CellError(key)
    return int(number)


def _integer_parser(value: Any) -> int:
    try:
        number = _whole(value, "read.cell.integer")
    except _CellError as err:
        if err.key in ("read.cell.number", "read.cell.unit_in_number"):
            raise _CellError("read.cell.integer") from None
        raise
    if number < 0:
        raise _CellError("read.cell.integer")
    return number


def _year_parser(value: Any) -> int:
    cls = value.__class__
    if cls is int or cls is float:
        if cls is float and not (math.isfinite(value) and value.is_integer()):
            raise _CellError("read.cell.year")
        year = int(value)
    elif cls is str:
        m = _YEAR_TEXT.fullmatch(_nfkc(value).strip())
        if m is None:
            raise _CellError("read.cell.year")
        year = int(m.group(1))
    else:
        raise _CellError("read.cell.year")
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise _CellError("read.cell.year")
    return year


def _boolean_parser(value: Any) -> bool:
    cls = value.__class__
    if cls is bool:
        return bool(value)
    if cls is int or cls is float:
        if value == 1:
            return True
        if value == 0:
            return False
    elif cls is str:
        found = BOOLEAN_WORDS.get(value)  # 是/否 as typed: no need to fold
        if found is None:
            found = BOOLEAN_WORDS.get(_fold_word(value))
        if found is not None:
            return found
    raise _CellError("read.cell.boolean")


def _make_date(year: str, month: str, day: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise _CellError("read.cell.no_such_date") from None


def _date_parser(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = _nfkc(value).strip()
        m = _DATE_TEXT.fullmatch(text)
        if m is not None:
            return _make_date(m.group(1), m.group(3), m.group(4))
        m = _DATE_TEXT_ZH.fullmatch(text)
        if m is not None:
            return _make_date(m.group(1), m.group(2), m.group(3))
    raise _CellError("read.cell.date")


def _talent_class_parser(value: Any) -> str:
    text = _fold_word(_as_text(value)).upper()
    for suffix in ("类人才", "类"):
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
            break
    if text not in _TALENT_CLASSES:
        raise _CellError("read.cell.talent_class")
    return text


_TALENT_CLASSES = frozenset(("A", "B", "C", "D", "E"))


def _alias_parser(aliases: dict[str, str], key: str, **params: Any) -> Parser:
    def parse(value: Any) -> str:
        found = aliases.get(value) if value.__class__ is str else None
        if found is None:
            found = aliases.get(_fold_word(_as_text(value)))
        if found is None:
            raise _CellError(key, **params)
        return found

    return parse


def _parser_for(spec: ColumnSpec, unit: Decimal, policy_aliases: _PolicyAliases) -> Parser:
    kind = spec.kind
    if kind == "text":
        return _payee_parser if spec.field == "payee_id" else _text_parser(spec.ident)
    if kind == "code":
        return _code_parser
    if kind == "money":
        return _money_parser(unit, spec.positive)
    if kind == "integer":
        return _integer_parser
    if kind == "year":
        return _year_parser
    if kind == "boolean":
        return _boolean_parser
    if kind == "date":
        return _date_parser
    if kind == "talent_class":
        return _talent_class_parser
    if kind == "recognition_kind":
        return _alias_parser(RECOGNITION_KIND_ALIASES, "read.cell.recognition_kind")
    if kind == "park_level":
        return _alias_parser(PARK_LEVEL_ALIASES, "read.cell.park_level")
    if kind == "award":
        return _alias_parser(policy_aliases.awards, "read.cell.award", known=policy_aliases.award_list)
    if kind == "tier":
        return _alias_parser(policy_aliases.tiers, "read.cell.tier")
    raise AssertionError(f"no parser for column kind {kind!r}")


@dataclass(frozen=True, slots=True)
class _PolicyAliases:
    awards: dict[str, str]
    tiers: dict[str, str]
    award_list: str

    @classmethod
    def of(cls, policy: Policy) -> _PolicyAliases:
        return cls(
            awards={fold(k): v for k, v in policy.award_aliases().items()},
            tiers={fold(k): v for k, v in policy.tier_aliases().items()},
            award_list=", ".join(policy.awards),
        )


# ---- sheets and headers -----------------------------------------------------------------------

_RECORD_TYPES: dict[str, type[Any]] = {
    "institutions": Institution,
    "revenue": RevenueYear,
    "placements": Placement,
    "recognitions": Recognition,
    "parks": Park,
    "prior_awards": PriorAward,
    "claims": Claim,
}
_BRACKETED = re.compile(r"(.*?)\s*\(([^()]*)\)")
_UNIT_HINT = re.compile(r"万|亿|10k|100m|yuan|元")
_NO_DEFAULT: Any = object()


def _blank_value(spec: ColumnSpec, record_type: type[Any]) -> Any:
    """What a blank optional cell means: the record's default, else None (False for yes/no)."""
    for f in fields(record_type):
        if f.name == spec.field:
            if f.default is not MISSING:
                return _NO_DEFAULT  # leave it to the record type
            break
    return False if spec.kind == "boolean" else None


def _column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _header_names(specs: Iterable[ColumnSpec], lang: str) -> str:
    if lang == "zh":
        return "、".join(f"{c.zh}({c.en})" for c in specs)
    return ", ".join(f"{c.en} ({c.zh})" for c in specs)


@dataclass(slots=True)
class _Column:
    index: int
    spec: ColumnSpec
    header: str
    unit_text: str | None
    parse: Parser
    default: Any = _NO_DEFAULT


@dataclass(slots=True)
class _SheetResult:
    """What one sheet gave: records with their rows, and what the cross-row checks need."""

    spec: SheetSpec
    title: str
    usable: bool = True
    rows: list[tuple[int, Any]] = field(default_factory=list)  # (Excel row, record)
    headers: dict[str, str] = field(default_factory=dict)  # field → header as written
    partial_codes: set[str] = field(default_factory=set)  # credit codes of rows with errors
    data_rows: list[int] = field(default_factory=list)  # rows with a value under a known column


class _Reader:
    """Collects issues while reading; one per read."""

    def __init__(self, policy: Policy, limits: Limits = DEFAULT_LIMITS) -> None:
        self.aliases = _PolicyAliases.of(policy)
        self.max_cell_chars = limits.max_cell_chars
        self.issues: list[Issue] = []
        self.sheet_order: dict[str | None, int] = {None: -1}

    def issue(self, severity: Severity, message: Msg, sheet: str | None = None, row: int | None = None,
              column: str | None = None, value: str | None = None, field: str | None = None) -> None:
        self.issues.append(Issue(severity, message, sheet, row, column, value, field))

    # -- header -----------------------------------------------------------------------------
    @staticmethod
    def _match(spec_lookup: dict[str, ColumnSpec], cell: Any) -> tuple[ColumnSpec, str | None] | None:
        """The column a header cell names, and the text in its trailing brackets if any.

        Tolerates what clerks' headers carry: a required-mark `*` at either end and line
        breaks or spaces inside a name (统一社会\n信用代码).
        """
        key = fold(_as_text(cell)).strip("* ")
        found = spec_lookup.get(key) or spec_lookup.get(key.replace(" ", ""))
        if found is not None:
            return found, None
        m = _BRACKETED.fullmatch(key)
        if m is not None:
            found = spec_lookup.get(m.group(1).strip("* ").replace(" ", ""))
            if found is not None:
                return found, m.group(2).strip()
        return None

    def _find_header(self, spec: SheetSpec, title: str, head: list[RawRow],
                     lookup: dict[str, ColumnSpec]) -> int | None:
        """Index into `head` of the header row, or None after reporting why there is none."""
        required = {c.field for c in spec.required_columns}
        best: tuple[int, int, set[str]] | None = None  # (matches, index, fields)
        for i, (_, cells) in enumerate(head):
            found = {m[0].field for c in cells if not _is_blank(c) and (m := self._match(lookup, c))}
            if required <= found:
                return i
            if found and (best is None or len(found) > best[0]):
                best = (len(found), i, found)
        missing = [c for c in spec.required_columns if best is None or c.field not in best[2]]
        params = {"missing_zh": _header_names(missing, "zh"), "missing_en": _header_names(missing, "en")}
        if best is None:
            self.issue("error", msg("read.header.not_found", **params), title)
        else:
            self.issue("error", msg("read.header.missing_required", **params), title, head[best[1]][0])
        return None

    def _columns(self, spec: SheetSpec, title: str, row_number: int, cells: tuple[RawValue, ...],
                 lookup: dict[str, ColumnSpec]) -> list[_Column] | None:
        """The known columns of the header row, or None when the header makes the sheet unreadable."""
        record_type = _RECORD_TYPES[spec.id]
        columns: dict[str, _Column] = {}
        ok = True
        for index, cell in enumerate(cells):
            if _is_blank(cell):
                continue
            header = _as_text(cell).strip()
            matched = self._match(lookup, cell)
            if matched is None:
                self.issue("info", msg("read.header.unknown"), title, row_number, header, header)
                continue
            col_spec, unit_text = matched
            first = columns.get(col_spec.field)
            if first is not None:
                self.issue("error", msg("read.header.duplicate", other=first.header,
                                        other_column=_column_letter(first.index)),
                           title, row_number, header, header, col_spec.field)
                ok = False
                continue
            unit = _ONE
            if unit_text is not None:
                if col_spec.kind == "money":
                    found_unit = MONEY_UNITS.get(unit_text)
                    if found_unit is None:
                        self.issue("error", msg("read.header.bad_unit", unit=unit_text),
                                   title, row_number, header, header, col_spec.field)
                        ok = False
                        continue
                    unit = found_unit
                elif _UNIT_HINT.search(unit_text):
                    self.issue("error", msg("read.header.unit_not_money", unit=unit_text),
                               title, row_number, header, header, col_spec.field)
                    ok = False
                    continue
                # any other bracketed note on a non-money column, like 从业人员数(人), is just a note
            column = _Column(index, col_spec, header, unit_text, _parser_for(col_spec, unit, self.aliases))
            if not col_spec.required:
                column.default = _blank_value(col_spec, record_type)
            columns[col_spec.field] = column
        missing = [c for c in spec.required_columns if c.field not in columns]
        if missing and ok:  # cannot happen for the header row found, kept for safety
            self.issue("error", msg("read.header.missing_required",
                                    missing_zh=_header_names(missing, "zh"),
                                    missing_en=_header_names(missing, "en")), title, row_number)
            ok = False
        return sorted(columns.values(), key=lambda c: c.index) if ok else None

    # -- rows -------------------------------------------------------------------------------
    def read_sheet(self, spec: SheetSpec, title: str, rows: Iterable[RawRow],
                   merged: Sequence[tuple[int, int, int, int]] = ()) -> _SheetResult:
        result = _SheetResult(spec, title)
        lookup: dict[str, ColumnSpec] = {}
        for col in spec.columns:
            lookup[fold(col.en)] = col
            lookup[fold(col.zh)] = col
            lookup.setdefault(fold(col.field), col)
        row_iter = iter(rows)
        # the first HEADER_SEARCH_ROWS rows by number: a backend may leave out blank rows
        head: list[RawRow] = []
        for item in row_iter:
            if item[0] > HEADER_SEARCH_ROWS:
                row_iter = chain((item,), row_iter)
                break
            head.append(item)
            if item[0] == HEADER_SEARCH_ROWS:
                break
        nonblank_head = [r for r in head if any(not _is_blank(c) for c in r[1])]
        if not nonblank_head and not any(any(not _is_blank(c) for c in cells) for _, cells in row_iter):
            return result  # an empty sheet: no records of this kind
        header_at = self._find_header(spec, title, head, lookup)
        if header_at is None:
            result.usable = False
            return result
        header_row, header_cells = head[header_at]
        columns = self._columns(spec, title, header_row, header_cells, lookup)
        if columns is None:
            result.usable = False
            return result
        result.headers = {c.spec.field: c.header for c in columns}
        self._read_rows(spec, title, columns, chain(head[header_at + 1:], row_iter), result)
        if merged:  # known only now: a sheet lists its merged ranges after its rows
            self._merged(title, columns, header_row, merged, result)
        return result

    def _read_rows(self, spec: SheetSpec, title: str, columns: list[_Column], rows: Iterable[RawRow],
                   result: _SheetResult) -> None:
        record_type = _RECORD_TYPES[spec.id]
        is_recognitions = spec.id == "recognitions"
        is_institutions = spec.id == "institutions"
        out = result.rows
        present = {c.spec.field for c in columns}
        absent = {c.field: _blank_value(c, record_type) for c in spec.columns if c.field not in present}
        base = {f: v for f, v in absent.items() if v is not _NO_DEFAULT}
        max_chars = self.max_cell_chars
        data_rows = result.data_rows
        # per column, what the loop needs, looked up once: (index, field, required, default, parse, column)
        plan = [(c.index, c.spec.field, c.spec.required, c.default, c.parse, c) for c in columns]
        str_ = str
        for number, cells in rows:
            width = len(cells)
            if not width:
                continue
            values: dict[str, Any] = base.copy()
            problems: list[Issue] | None = None
            missing: list[_Column] | None = None
            blank = True
            for index, field_, required, default, parse, col in plan:
                raw = cells[index] if index < width else None
                cls = raw.__class__
                if raw is None or (cls is str_ and not raw.strip()):  # type: ignore[union-attr]
                    if required:
                        if missing is None:
                            missing = []
                        missing.append(col)
                    elif default is not _NO_DEFAULT:
                        values[field_] = default
                    continue
                blank = False
                special: Msg | None = None
                if cls is str_:
                    if len(raw) > max_chars:  # type: ignore[arg-type]
                        special = msg("read.cell.too_long", length=len(raw), limit=max_chars)  # type: ignore[arg-type]
                elif cls is FormulaWithoutValue:
                    special = msg("read.cell.formula_no_value")
                if special is not None:
                    if problems is None:
                        problems = []
                    text = _raw_text(raw)
                    if text is not None and len(text) > _VALUE_CHARS:
                        text = text[: _VALUE_CHARS - 1] + "…"
                    problems.append(Issue("error", special, title, number, col.header, text, field_))
                    continue
                try:
                    values[field_] = parse(raw)
                except _CellError as err:
                    key = err.key
                    if raw.__class__ is str and raw.strip() in _EXCEL_ERRORS:
                        key, err.params = "read.cell.excel_error", {}
                    if problems is None:
                        problems = []
                    problems.append(Issue("error", msg(key, **err.params), title, number, col.header,
                                          _raw_text(raw), field_))
            if blank:
                continue  # a fully blank row is not data
            data_rows.append(number)
            if missing is not None:
                if problems is None:
                    problems = []
                for col in missing:
                    problems.append(Issue("error", msg("read.cell.required"), title, number, col.header,
                                          None, col.spec.field))
            if (is_recognitions and values.get("kind") == "national_competition"
                    and not values.get("reference")
                    and not (problems and any(p.field == "reference" for p in problems))):
                if problems is None:
                    problems = []
                problems.append(Issue("error", msg("read.cell.reference_required"), title, number,
                                      result.headers.get("reference"), None, "reference"))
            if problems is not None:
                order = {c.spec.field: c.index for c in columns}
                problems.sort(key=lambda i: order.get(i.field or "", -1))
                self.issues.extend(problems)
                if is_institutions and "credit_code" in values:
                    result.partial_codes.add(values["credit_code"])
                continue
            out.append((number, record_type(**values, source=Source(title, number))))

    def _merged(self, title: str, columns: list[_Column], header_row: int,
                ranges: Sequence[tuple[int, int, int, int]], result: _SheetResult) -> None:
        """Cells of data rows inside a merged range (other than its first cell) are errors.

        Excel shows the first cell's value across the range, but the other cells are blank:
        read as blank, a merged amount or date would silently count for one row only.
        """
        by_column = {c.index + 1: c for c in columns}
        rows = result.data_rows  # increasing
        found: dict[tuple[int, int], str] = {}
        work = _MERGED_WORK
        for min_col, min_row, max_col, max_row in ranges:
            if max_row <= header_row or work <= 0:
                continue
            cols = [c for c in range(min_col, min(max_col, max(by_column, default=0)) + 1) if c in by_column]
            if not cols:
                continue
            ref = f"{_column_letter(min_col - 1)}{min_row}:{_column_letter(max_col - 1)}{max_row}"
            start = bisect_left(rows, max(min_row, header_row + 1))
            for row in islice(rows, start, None):
                if row > max_row or work <= 0:
                    break
                for c in cols:
                    work -= 1
                    if (row, c) != (min_row, min_col):
                        found.setdefault((row, c), ref)
        if not found:
            return
        flagged = {(row, by_column[c].spec.field) for row, c in found}
        # a merged cell read as blank was already "required"; one message for it is enough
        self.issues = [i for i in self.issues if not (
            i.sheet == title and i.message.key == "read.cell.required" and (i.row, i.field) in flagged)]
        for (row, c), ref in sorted(found.items()):
            col = by_column[c]
            self.issue("error", msg("read.cell.merged", ref=ref), title, row, col.header, None, col.spec.field)
        bad_rows = {row for row, _ in found}
        if result.spec.id == "institutions":
            result.partial_codes.update(rec.credit_code for n, rec in result.rows if n in bad_rows)
        result.rows = [(n, rec) for n, rec in result.rows if n not in bad_rows]

    # -- workbook -----------------------------------------------------------------------------
    def read(self, sheets: Iterable[RawSheet]) -> Records:
        results: dict[str, _SheetResult] = {}
        for position, sheet in enumerate(sheets):
            title = sheet.title
            self.sheet_order.setdefault(title, position)
            spec = SHEET_ALIASES.get(fold(title))
            if spec is None:
                self.issue("info", msg("read.sheet.unknown"), title)
                continue
            if spec.id in results:
                self.issue("error", msg("read.sheet.duplicate", other=results[spec.id].title), title)
                continue
            if sheet.state == "hidden":
                self.issue("warning", msg("read.sheet.hidden"), title)
            elif sheet.state == "veryHidden":
                self.issue("warning", msg("read.sheet.very_hidden"), title)
            results[spec.id] = self.read_sheet(spec, title, sheet.rows, sheet.merged)
        records = Records()
        if not results:
            self.issue("error", msg(
                "read.no_sheets",
                expected_zh="、".join(f"{s.name_zh}({s.name_en})" for s in SHEETS),
                expected_en=", ".join(f"{s.name_en} ({s.name_zh})" for s in SHEETS),
            ))
        else:
            _CrossChecks(self, results).run()
        for spec in SHEETS:
            result = results.get(spec.id)
            if result is not None:
                getattr(records, spec.id).extend(rec for _, rec in result.rows)
        records.claims_sheet_present = "claims" in results
        order = self.sheet_order
        self.issues.sort(key=lambda i: (order.get(i.sheet, len(order)), i.row or 0))
        records.issues.extend(self.issues)
        return records


class _CrossChecks:
    """The checks that look across rows and sheets; offending rows lose their record."""

    def __init__(self, reader: _Reader, results: dict[str, _SheetResult]) -> None:
        self.reader = reader
        self.results = results

    def _flag(self, result: _SheetResult, row: int, fld: str, value: object, message: Msg,
              dropped: set[int]) -> None:
        self.reader.issue("error", message, result.title, row, result.headers.get(fld),
                          None if value is None else str(value), fld)
        dropped.add(row)

    def _unique(self, sheet_id: str, key: Callable[[Any], Any], fld: str, message_key: str,
                dropped: set[int], **params: Callable[[Any], Any]) -> None:
        result = self.results.get(sheet_id)
        if result is None:
            return
        seen: dict[Any, int] = {}
        for row, rec in result.rows:
            k = key(rec)
            if k is None:
                continue
            first = seen.setdefault(k, row)
            if first != row:
                extra = {name: fn(rec) for name, fn in params.items()}
                self._flag(result, row, fld, getattr(rec, fld), msg(message_key, other_row=first, **extra),
                           dropped)

    def run(self) -> None:
        dropped: dict[str, set[int]] = {sid: set() for sid in self.results}
        self._unique("institutions", lambda r: r.credit_code, "credit_code", "read.dup.credit_code",
                     dropped.get("institutions", set()))
        self._unique("placements", lambda r: r.placement_id, "placement_id", "read.dup.placement_id",
                     dropped.get("placements", set()))
        self._unique("revenue", lambda r: (r.credit_code, r.year), "year", "read.dup.revenue_year",
                     dropped.get("revenue", set()), year=lambda r: r.year)
        self._unique("recognitions",
                     lambda r: (r.credit_code, fold(r.reference))
                     if r.kind == "national_competition" and r.reference else None,
                     "reference", "read.dup.competition", dropped.get("recognitions", set()))
        self._unique("parks", lambda r: (r.park_id, r.level), "park_id", "read.dup.park_level",
                     dropped.get("parks", set()))
        self._prior_revenue(dropped.get("revenue", set()))
        self._known_institutions(dropped)
        for sheet_id, rows in dropped.items():
            if rows:
                result = self.results[sheet_id]
                result.rows = [(n, rec) for n, rec in result.rows if n not in rows]

    def _prior_revenue(self, dropped: set[int]) -> None:
        result = self.results.get("revenue")
        if result is None:
            return
        by_year: dict[tuple[str, int], tuple[int, RevenueYear]] = {}
        for row, rec in result.rows:
            by_year.setdefault((rec.credit_code, rec.year), (row, rec))
        for row, rec in result.rows:
            if rec.prior_year_revenue is None:
                continue
            prior = by_year.get((rec.credit_code, rec.year - 1))
            if prior is not None and prior[1].revenue != rec.prior_year_revenue:
                self._flag(result, row, "prior_year_revenue", rec.prior_year_revenue,
                           msg("read.revenue.prior_mismatch", given=rec.prior_year_revenue,
                               actual=prior[1].revenue, prior_year=rec.year - 1, other_row=prior[0]),
                           dropped)

    def _known_institutions(self, dropped: dict[str, set[int]]) -> None:
        institutions = self.results.get("institutions")
        if institutions is not None and not institutions.usable:
            return  # its header is already an error; flagging every reference would only add noise
        known: set[str] = set()
        if institutions is not None:
            known.update(rec.credit_code for _, rec in institutions.rows)
            # a row with another error still names its institution: one error, not a cascade
            known.update(institutions.partial_codes)
        for sheet_id in ("revenue", "placements", "recognitions"):
            result = self.results.get(sheet_id)
            if result is None:
                continue
            for row, rec in result.rows:
                if rec.credit_code not in known:
                    self._flag(result, row, "credit_code", rec.credit_code,
                               msg("read.ref.unknown_institution"), dropped[sheet_id])


def read_sheets(sheets: Iterable[RawSheet], policy: Policy, limits: Limits = DEFAULT_LIMITS) -> Records:
    """The parsing layer: raw sheets from any backend → records and issues."""
    return _Reader(policy, limits).read(sheets)
