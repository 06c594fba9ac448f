"""Tables A, B and C of the 2019 trial and 2021 report formats, as rows of spanning cells.

A table is a list of rows; a row is a list of cells ``(text, rowspan, colspan)``.  The shapes
follow domain.md §2.2–§2.4 (headers with the heavy ``rowspan``/``colspan`` of real reports).
Renderers (HTML, DOCX, RTF, PDF text) live in :mod:`portalsim.documents`.
"""

from __future__ import annotations

Cell = tuple[str, int, int]
Table = list[list[Cell]]

B_HEADER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
NOT_DISCLOSED = (
    "属于国家秘密",
    "其他法律行政法规禁止公开",
    "危及“三安全一稳定”",
    "保护第三方合法权益",
    "属于三类内部事务信息",
    "属于四类过程性信息",
    "属于行政执法案卷",
    "属于行政查询事项",
)
UNABLE = ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确")
NOT_PROCESSED = (
    "信访举报投诉类申请",
    "重复申请",
    "要求提供公开出版物",
    "无正当理由大量反复申请",
    "要求行政机关确认或重新出具已获取信息",
)
OTHER_2021 = (
    "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "其他",
)


def c(text: object, rowspan: int = 1, colspan: int = 1) -> Cell:
    """One cell."""
    return (str(text), rowspan, colspan)


def _num(v: object) -> str:
    return str(v)


def _signed(v: int) -> str:
    return f"+{v}" if v > 0 else str(v)


def table_a(stats: dict) -> Table:
    """Table A (主动公开政府信息情况) in the report's format."""
    a = stats["table_a"]
    if stats["template"] == "template2021":
        return [
            [c("第二十条第（一）项", 1, 4)],
            [c("信息内容"), c("本年制发件数"), c("本年废止件数"), c("现行有效件数")],
            [c("规章"), *map(c, a["规章"])],
            [c("行政规范性文件"), *map(c, a["行政规范性文件"])],
            [c("第二十条第（五）项", 1, 4)],
            [c("信息内容"), c("本年处理决定数量", 1, 3)],
            [c("行政许可"), c(a["行政许可"][0], 1, 3)],
            [c("第二十条第（六）项", 1, 4)],
            [c("信息内容"), c("本年处理决定数量", 1, 3)],
            [c("行政处罚"), c(a["行政处罚"][0], 1, 3)],
            [c("行政强制"), c(a["行政强制"][0], 1, 3)],
            [c("第二十条第（八）项", 1, 4)],
            [c("信息内容"), c("本年收费金额（单位：万元）", 1, 3)],
            [c("行政事业性收费"), c(a["行政事业性收费"][0], 1, 3)],
        ]
    three = [c("信息内容"), c("上一年项目数量"), c("本年增/减"), c("处理决定数量")]
    return [
        [c("第二十条第（一）项", 1, 4)],
        [c("信息内容"), c("本年新制作数量"), c("本年新公开数量"), c("对外公开总数量")],
        [c("规章"), *map(c, a["规章"])],
        [c("规范性文件"), *map(c, a["规范性文件"])],
        [c("第二十条第（五）项", 1, 4)],
        three,
        [c("行政许可"), c(a["行政许可"][0]), c(_signed(a["行政许可"][1])), c(a["行政许可"][2])],
        [
            c("其他对外管理服务事项"),
            c(a["其他对外管理服务事项"][0]),
            c(_signed(a["其他对外管理服务事项"][1])),
            c(a["其他对外管理服务事项"][2]),
        ],
        [c("第二十条第（六）项", 1, 4)],
        list(three),
        [c("行政处罚"), c(a["行政处罚"][0]), c(_signed(a["行政处罚"][1])), c(a["行政处罚"][2])],
        [c("行政强制"), c(a["行政强制"][0]), c(_signed(a["行政强制"][1])), c(a["行政强制"][2])],
        [c("第二十条第（八）项", 1, 4)],
        [c("信息内容"), c("上一年项目数量"), c("本年增/减", 1, 2)],
        [c("行政事业性收费"), c(a["行政事业性收费"][0]), c(_signed(a["行政事业性收费"][1]), 1, 2)],
        [c("第二十条第（九）项", 1, 4)],
        [c("信息内容"), c("采购项目数量"), c("采购总金额", 1, 2)],
        [c("政府集中采购"), c(a["政府集中采购"][0]), c(a["政府集中采购"][1], 1, 2)],
    ]


def table_b(stats: dict, blank: tuple[list[str], str] | None = None) -> Table:
    """Table B (收到和处理政府信息公开申请情况) with its spanning header and row labels;
    ``blank``: (rows, mark) — those rows' five 法人 columns written as ``mark`` ("/" or "")."""
    b = stats["table_b"]
    is2021 = stats["template"] == "template2021"
    rows_blank, mark = blank if blank is not None else ([], "")

    def vals(key: str) -> list[Cell]:
        if key in rows_blank:
            return [c(b[key][0]), *(c(mark) for _ in range(5)), c(b[key][6])]
        return [c(v) for v in b[key]]

    rows: Table = [
        [c(B_HEADER_NOTE, 3, 3), c("申请人情况", 1, 7)],
        [c("自然人", 2), c("法人或其他组织", 1, 5), c("总计", 2)],
        [c("商业企业"), c("科研机构"), c("社会公益组织"), c("法律服务机构"), c("其他")],
        [c("一、本年新收政府信息公开申请数量", 1, 3), *vals("一")],
        [c("二、上年结转政府信息公开申请数量", 1, 3), *vals("二")],
    ]
    n_other = 3 if is2021 else 1
    span = 2 + len(NOT_DISCLOSED) + len(UNABLE) + len(NOT_PROCESSED) + n_other + 1
    result: Table = [
        [c("三、本年度办理结果", span), c("（一）予以公开", 1, 2), *vals("三.一")],
        [c("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2), *vals("三.二")],
    ]
    for head, key, labels in (
        ("（三）不予公开", "三.三", NOT_DISCLOSED),
        ("（四）无法提供", "三.四", UNABLE),
        ("（五）不予处理", "三.五", NOT_PROCESSED),
    ):
        for k, label in enumerate(labels, 1):
            row = [c(f"{k}.{label}"), *vals(f"{key}.{k}")]
            result.append([c(head, len(labels)), *row] if k == 1 else row)
    if is2021:
        for k, label in enumerate(OTHER_2021, 1):
            row = [c(f"{k}.{label}"), *vals(f"三.六.{k}")]
            result.append([c("（六）其他处理", 3), *row] if k == 1 else row)
    else:
        result.append([c("（六）其他处理", 1, 2), *vals("三.六")])
    result.append([c("（七）总计", 1, 2), *vals("三.七")])
    rows.extend(result)
    rows.append([c("四、结转下年度继续办理", 1, 3), *vals("四")])
    return rows


def table_c(stats: dict) -> Table:
    """Table C (行政复议、行政诉讼情况): 15 numeric cells under a two-level header."""
    cells = stats["table_c"]
    five = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        [c("行政复议", 1, 5), c("行政诉讼", 1, 10)],
        [*(c(t, 2) for t in five), c("未经复议直接起诉", 1, 5), c("复议后起诉", 1, 5)],
        [*(c(t) for t in five), *(c(t) for t in five)],
        [c(v) for v in cells],
    ]


def expand(table: Table) -> list[list[tuple[str, bool]]]:
    """The span-expanded grid: each slot is (text, is_origin_cell); covered slots repeat the text."""
    grid: dict[tuple[int, int], tuple[str, bool]] = {}
    width = 0
    for r, row in enumerate(table):
        col = 0
        for text, rowspan, colspan in row:
            while (r, col) in grid:
                col += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, col + dc)] = (text, dr == 0 and dc == 0)
            col += colspan
            width = max(width, col)
    height = max((r for r, _ in grid), default=-1) + 1
    return [[grid.get((r, k), ("", False)) for k in range(width)] for r in range(height)]


def text_lines(table: Table) -> list[str]:
    """The table flattened to one text line per row (as PDF text extraction shows it)."""
    return ["  ".join(text for text, _, _ in row) for row in table]
