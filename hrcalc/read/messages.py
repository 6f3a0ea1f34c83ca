"""The reader's messages, in both languages, and how a file that cannot be read is told."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hrcalc.errors import InputFileError
from hrcalc.i18n import msg, register
from hrcalc.limits import GIB, MIB
from hrcalc.read.schema import PARK_LEVEL_NAMES_ZH, RECOGNITION_KIND_NAMES_ZH

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
    "read.file.ole": ("这是旧版或加密的 Office 文件，不是 .xlsx：{path}。请在 Excel 中打开，"
                      "取消密码（如有）后另存为“Excel 工作簿 (*.xlsx)”。",
                      "This is an old-format or password-protected Office file, not .xlsx: {path}. "
                      "Open it in Excel, remove any password and save it as "
                      '"Excel Workbook (*.xlsx)".'),
    "read.file.not_xlsx": ("不是 Excel .xlsx 工作簿：{path}。CSV、WPS、PDF 等文件" + _SAVE_AS_ZH,
                           "Not an Excel .xlsx workbook: {path}. If it is a CSV, WPS or other file, open "
                           'it in Excel and save it as "Excel Workbook (*.xlsx)", then try again.'),
    "read.file.corrupt": ("无法读取工作簿 {path}：文件已损坏或不是有效的 {kind}（{detail}）。{remedy}",
                          "Cannot read the workbook {path}: the file is damaged or not a valid "
                          "{kind} ({detail}). {remedy}"),
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
    "read.limit.grid": ("工作簿中有一张工作表的范围是 {rows:,} 行 × {columns:,} 列，却只有 {cells:,} 个单元格写有内容："
                        "范围过大，已拒绝读取：{path}。这不是正常的工作簿；请删除多余的行和列后另存为 .xlsx。",
                        "A sheet of the workbook spans {rows:,} rows × {columns:,} columns but only {cells:,} of "
                        "its cells are written: too large a range; it was not read: {path}. This is not a normal "
                        "workbook; delete the extra rows and columns and save it as .xlsx."),
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
    # workbooks as clerks keep them (rulings.md)
    "read.row.totals": ("第 {row} 行是合计行（{word}），不是记录，已跳过。",
                        "Row {row} is a totals row ({word}), not a record; skipped."),
    "read.rows.empty": ("第 {rows} 行的必填列全部为空（只有序号、默认值等），作为空行跳过。",
                        "Rows {rows} have every required cell blank (only a serial number, a default "
                        "or the like); skipped as empty rows."),
    "read.rows.hidden": ("本表有 {count:,} 行在 Excel 中被隐藏或被筛选掉，这些行已照常读取并计入：如不应计入，"
                         "请删除这些行。",
                         "{count:,} rows of this sheet are hidden or filtered out in Excel; they were "
                         "read and count as usual: delete them if they should not count."),
    "read.format.unit": ("“{column}”列的数字格式 {format} 显示了单位或缩放了数值：hrcalc 按单元格中实际存储的"
                         "数值计算，单位以表头为准（表头未注明即为元），屏幕上看到的数字可能与计算所用的不同。"
                         "请核对；金额以万元填写时，请在表头注明“(万元)”并把数字格式改为“常规”。",
                         'The number format {format} of column "{column}" shows a unit or scales the '
                         "value: hrcalc computes with the value the cell holds, in the header's unit "
                         "(yuan unless the header names one), so what Excel shows may differ from what "
                         "is computed. Check it; for amounts typed in 10k yuan, put (万元) in the "
                         'header and set the number format to "General".'),
    "read.cell.code_number": ("统一社会信用代码被存成了数字，已丢失位数（Excel 显示为 {shown}）：请把该列设置为"
                              "“文本”格式，再重新输入代码。",
                              "The credit code was stored as a number and has lost digits (Excel "
                              'shows {shown}): format the column as "Text" and type the code again.'),
})  # fmt: skip

CODE_PROBLEMS = {
    "code.length": "read.cell.code_length",
    "code.charset": "read.cell.code_charset",
    "code.check": "read.cell.code_check",
}


_DETAIL_CHARS = 160
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def file_error(key: str, path: Path, **params: Any) -> InputFileError:
    """The InputFileError of a message about the file at `path`."""
    if key == "read.file.corrupt":
        params.setdefault("remedy", msg("read.remedy.save_as"))  # Excel may repair it
        suffix = path.suffix.lower()  # a damaged .ods is not called a damaged .xlsx
        params.setdefault("kind", suffix if suffix in _WORKBOOK_SUFFIXES else ".xlsx")
    return InputFileError(msg(key, path=str(path), **params))


def detail_of(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > _DETAIL_CHARS:
        text = text[: _DETAIL_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def human_size(n: int) -> str:
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


def unreadable(path: Path, exc: BaseException) -> InputFileError:
    """The one message for anything a backend raised while reading the file."""
    causes = _causes(exc)
    for cause in causes:
        if isinstance(cause, InputFileError):
            return cause
        if type(cause).__module__.startswith("defusedxml"):
            return file_error("read.file.unsafe_xml", path)
        if isinstance(cause, PermissionError):
            return file_error("read.file.permission", path)
    return file_error("read.file.corrupt", path, detail=detail_of(causes[-1]))
