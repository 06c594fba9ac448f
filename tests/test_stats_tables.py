"""Tables A/B/C read from hand-built grids, PDF-like text and ``|`` excerpts (crawler.stats.tables)."""

from __future__ import annotations

import pytest

from crawler.extract.tables import expand_grid
from crawler.stats.tables import (
    B_COLUMNS,
    C_KEYS,
    Cell,
    Tables,
    b_rows,
    cells_long,
    detect_format,
    headline,
    parse_number,
    parse_tables,
)


@pytest.mark.parametrize(
    ("raw", "value", "status", "signed"),
    [
        ("", None, "blank", False),
        ("  \u3000", None, "blank", False),
        ("/", None, "na", False),
        ("／", None, "na", False),
        ("—", None, "na", False),
        ("-", None, "na", False),
        ("0", 0, "number", False),
        ("37", 37, "number", False),
        ("1,234", 1234, "number", False),
        ("１２", 12, "number", False),
        ("12件", 12, "number", False),
        ("103.3879万元", 103.3879, "number", False),
        ("52.15", 52.15, "number", False),
        ("+3", 3, "number", True),
        ("-4", -4, "number", True),
        ("－4", -4, "number", True),
        ("减4", -4, "number", True),
        ("增3", 3, "number", True),
        ("--253", -253, "number", True),
        ("无", None, "text", False),
        ("约5", None, "text", False),
        ("1.53万", None, "text", False),
        ("见附件", None, "text", False),
    ],
)
def test_parse_number(raw, value, status, signed):
    cell = parse_number(raw)
    assert (cell.value, cell.status, cell.signed, cell.raw) == (value, status, signed, raw)
    assert type(cell.value) is type(value)


def c(text: object, rowspan: int = 1, colspan: int = 1) -> tuple[str, int, int]:
    return (str(text), rowspan, colspan)


NOT_DISCLOSED = (
    "属于国家秘密",
    "其他法律行政法规禁止公开",
    "危及“三安全一稳定”",
    "保护第三方合法权益",
    "属于三类内容事务信息",
    "属于四类过程性信息",
    "属于行政执法案卷",
    "属于行政查询事项",
)  # sic: 内容
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


def unique_b(fmt: str) -> dict[str, list[str]]:
    """A Table B whose every cell is a different number, so a misplaced cell shows."""
    return {row: [str(100 * i + j) for j in range(7)] for i, row in enumerate(b_rows(fmt))}


def b_table(fmt: str, b: dict[str, list]) -> list[list[tuple[str, int, int]]]:
    """Table B as rows of spanning cells, laid out as real reports (and portalsim.tables) do."""

    def vals(key: str) -> list:
        return [c(v) for v in b[key]]

    rows = [
        [
            c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
            c("申请人情况", 1, 7),
        ],
        [c("自然人", 2), c("法人或其他组织", 1, 5), c("总计", 2)],
        [c("商业企业"), c("科研机构"), c("社会公益组织"), c("法律服务机构"), c("其他")],
        [c("一、本年新收政府信息公开申请数量", 1, 3), *vals("一")],
        [c("二、上年结转政府信息公开申请数量", 1, 3), *vals("二")],
    ]
    n_six = 3 if fmt == "template2021" else 1
    rows += [
        [c("三、本年度办理结果", 2 + 8 + 3 + 5 + n_six + 1), c("（一）予以公开", 1, 2), *vals("三.一")],
        [c("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2), *vals("三.二")],
    ]
    for head, key, labels in (
        ("（三）不予公开", "三.三", NOT_DISCLOSED),
        ("（四）无法提供", "三.四", UNABLE),
        ("（五）不予处理", "三.五", NOT_PROCESSED),
    ):
        for k, label in enumerate(labels, 1):
            row = [c(f"{k}.{label}"), *vals(f"{key}.{k}")]
            rows.append([c(head, len(labels)), *row] if k == 1 else row)
    if fmt == "template2021":
        for k, label in enumerate(OTHER_2021, 1):
            row = [c(f"{k}.{label}"), *vals(f"三.六.{k}")]
            rows.append([c("（六）其他处理", 3), *row] if k == 1 else row)
    else:
        rows.append([c("（六）其他处理", 1, 2), *vals("三.六")])
    rows.append([c("（七）总计", 1, 2), *vals("三.七")])
    rows.append([c("四、结转下年度继续办理", 1, 3), *vals("四")])
    return rows


def c_table(cells: list) -> list[list[tuple[str, int, int]]]:
    five = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        [c("行政复议", 1, 5), c("行政诉讼", 1, 10)],
        [*(c(t, 2) for t in five), c("未经复议直接起诉", 1, 5), c("复议后起诉", 1, 5)],
        [*(c(t) for t in five), *(c(t) for t in five)],
        [c(v) for v in cells],
    ]


A_2021 = [
    [c("第二十条第（一）项", 1, 4)],
    [c("信息内容"), c("本年制发件数"), c("本年废止件数"), c("现行有效件数")],
    [c("规章"), c(1), c(0), c(5)],
    [c("行政规范性文件"), c(4), c(2), c(100)],
    [c("第二十条第（五）项", 1, 4)],
    [c("信息内容"), c("本年处理决定数量", 1, 3)],
    [c("行政许可"), c(283, 1, 3)],
    [c("第二十条第（六）项", 1, 4)],
    [c("信息内容"), c("本年处理决定数量", 1, 3)],
    [c("行政处罚"), c("1,149", 1, 3)],
    [c("行政强制"), c(22, 1, 3)],
    [c("第二十条第（八）项", 1, 4)],
    [c("信息内容"), c("本年收费金额（单位：万元）", 1, 3)],
    [c("行政事业性收费"), c("103.3879万元", 1, 3)],
]
A_2021_VALUES = {
    "规章.本年制发件数": 1,
    "规章.本年废止件数": 0,
    "规章.现行有效件数": 5,
    "行政规范性文件.本年制发件数": 4,
    "行政规范性文件.本年废止件数": 2,
    "行政规范性文件.现行有效件数": 100,
    "行政许可.本年处理决定数量": 283,
    "行政处罚.本年处理决定数量": 1149,
    "行政强制.本年处理决定数量": 22,
    "行政事业性收费.本年收费金额": 103.3879,
}
THREE = [c("信息内容"), c("上一年项目数量"), c("本年增/减"), c("处理决定数量")]
A_2019 = [
    [c("第二十条第（一）项", 1, 4)],
    [c("信息内容"), c("本年新制作数量"), c("本年新公开数量"), c("对外公开总数量")],
    [c("规章"), c("/"), c("/"), c("/")],
    [c("规范性文件"), c(3), c(3), c(41)],
    [c("第二十条第（五）项", 1, 4)],
    THREE,
    [c("行政许可"), c(120), c("+3"), c(283)],
    [c("其他对外管理服务事项"), c(12), c("减4"), c(50)],
    [c("第二十条第（六）项", 1, 4)],
    THREE,
    [c("行政处罚"), c(300), c("--253"), c(149)],
    [c("行政强制"), c(9), c(0), c(22)],
    [c("第二十条第（八）项", 1, 4)],
    [c("信息内容"), c("上一年项目数量"), c("本年增/减", 1, 2)],
    [c("行政事业性收费"), c(7), c("-1", 1, 2)],
    [c("第二十条第（九）项", 1, 4)],
    [c("信息内容"), c("采购项目数量"), c("采购总金额", 1, 2)],
    [c("政府集中采购"), c(6), c("52.15", 1, 2)],
]
A_2019_VALUES = {
    "规章.本年新制作数量": None,
    "规章.本年新公开数量": None,
    "规章.对外公开总数量": None,
    "规范性文件.本年新制作数量": 3,
    "规范性文件.本年新公开数量": 3,
    "规范性文件.对外公开总数量": 41,
    "行政许可.上一年项目数量": 120,
    "行政许可.本年增/减": 3,
    "行政许可.处理决定数量": 283,
    "其他对外管理服务事项.上一年项目数量": 12,
    "其他对外管理服务事项.本年增/减": -4,
    "其他对外管理服务事项.处理决定数量": 50,
    "行政处罚.上一年项目数量": 300,
    "行政处罚.本年增/减": -253,
    "行政处罚.处理决定数量": 149,
    "行政强制.上一年项目数量": 9,
    "行政强制.本年增/减": 0,
    "行政强制.处理决定数量": 22,
    "行政事业性收费.上一年项目数量": 7,
    "行政事业性收费.本年增/减": -1,
    "政府集中采购.采购项目数量": 6,
    "政府集中采购.采购总金额": 52.15,
}
C_VALUES = list(range(1, 16))


def grids(*tables: list) -> list[list[list[str]]]:
    return [expand_grid(rows)[0] for rows in tables]


def values(t: Tables) -> tuple[dict, dict, dict]:
    return (
        {k: v.value for k, v in t.a.items()},
        {r: [cell.value for cell in row.values()] for r, row in t.b.items()},
        {k: v.value for k, v in t.c.items()},
    )


@pytest.mark.parametrize(
    ("fmt", "a_rows", "a_values"),
    [("template2021", A_2021, A_2021_VALUES), ("template2019", A_2019, A_2019_VALUES)],
)
def test_grids_of_both_templates(fmt, a_rows, a_values):
    b = unique_b(fmt)
    prose = "依据国办公开办函〔2021〕30号编制。本年新收申请3件。"
    t = parse_tables(prose, grids(a_rows, b_table(fmt, b), c_table(C_VALUES)))
    a, got_b, got_c = values(t)
    assert (t.format, t.source) == (fmt, "grid")
    assert a == a_values
    assert list(got_b) == list(b_rows(fmt))
    assert got_b == {r: [int(v) for v in cells] for r, cells in b.items()}
    assert got_c == dict(zip(C_KEYS, C_VALUES, strict=True))
    assert all(list(row) == list(B_COLUMNS) for row in t.b.values())


def test_grid_signed_and_na_cells_keep_their_text():
    t = parse_tables("", grids(A_2019))
    assert t.a["行政处罚.本年增/减"] == Cell(-253, "--253", "number", signed=True)
    assert t.a["规章.本年新制作数量"].status == "na"
    assert t.a["政府集中采购.采购总金额"] == Cell(52.15, "52.15", "number")


def test_grid_sparse_rows_give_natural_person_and_total():
    b = unique_b("template2019")
    rows = b_table("template2019", b)
    short = [c("四、结转下年度继续办理", 1, 3), c(2), c(2)]  # only two cells: 自然人 and 总计
    rows[-1] = short
    blank = next(i for i, row in enumerate(rows) if row[0][0].startswith("（二）部分公开"))
    rows[blank] = [rows[blank][0], c(5), *(c("") for _ in range(5)), c(5)]  # explicit blanks
    t = parse_tables("", grids(rows))
    for key in ("四", "三.二"):
        row = t.b[key]
        assert row["自然人"].value == row["总计"].value == (2 if key == "四" else 5)
        assert all(row[col].status == "blank" for col in B_COLUMNS[1:-1])
    assert headline(t)["requests_carried_forward"] == 2


PDF_2019 = """某县人民政府2020年政府信息公开工作年度报告
本报告依据《条例》和国办公开办函〔2021〕30号的要求编制，统计期限自2020年1月1日起至2020年12月31日止。
（二）依申请公开。全年本年新收政府信息公开申请12件，上年结转1件。
二、主动公开政府信息情况
第二十条第（一）项
信息内容 本
年
新
制
作
数
量 本年新公开数量 对外公开总数量
规章 0 0 0
规范性文件 3 3 41
第二十条第（五）项
信息内容 上一年项目数量 本年增/减 处理决定数量
行政许可 120 +3 283
其他对外管理服务事项 12 -4 50
第二十条第（六）项
信息内容 上一年项目数量 本年增/减 处理决定数量
行政处罚 300 --253 149
行政强制 9 0 22
第二十条第（八）项
信息内容 上一年项目数量 本年增/减
行政事业性收费 7 减1
第二十条第（九）项
信息内容 采购项目数量 采购总金额
政府集中采购 6 1,052.15
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） 申请人情况
自
然
人 法人或其他组织 总
计
商业企业 科研机构 社会公益组织 法律服务机构 其他
一、本年新收政府信息公开申请数量 10 1 0 0 1 0 12
二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1三、本年度办理结果 （一）予以公开 5 1 0 0 0 0 6
三
、
本
（二）部分公开（区分处理的，只计这一情形，不计其他情形） 2 0 0 0 0 0 2
（三）不予公开 1.属于国家秘密 0 0 0 0 0 0 0
2.其他法律行政法规禁止公开 0 0 0 0 0 0 0
3.危及“三安全一稳定” 0 0 0 0 0 0 0
4.保护第三方合法权益 0 0 0 0 0 0 0
5.属于三类内容事务信息 1 0 0 0 0 0 1
6.属于四类过程性信息 0 0 0 0 0 0 0
7.属于行政执法案卷 0 0 0 0 0 0 0
8.属于行政查询事项 0 0 0 0 0 0 0
（四）无法提供 1.本机关不掌握相关政府信息 2 0 0 0 1 0 3
- 2 -
\f2.没有现成信息需要另行制作 0 0 0 0 0 0 0
3.补正后申请内容仍不明确 0 0 0 0 0 0 0
（五）不予处理 1.信访举报投诉类申请 0 0 0 0 0 0 0
2.重复申请 1 0 0 0 0 0 1
3.要求提供公开出版物 0 0 0 0 0 0 0
4.无正当理由大量反复申请 0 0 0 0 0 0 0
5.要求行政机关确认或重新出具已获取信
息 0 0 0 0 0 0 0
（六）其他处理 0 0 0 0 0 0 0
（七）总计 11 1 0 0 1 0 13
四、结转下年度继续办理 0 0 0 0 0 0 0
四、政府信息公开行政复议、行政诉讼情况
2020年，本机关被申请行政复议3件，被提起行政诉讼2件。
行政复议 行政诉讼
结
果
维
持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉
结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计
2 1 0 0 3 1 0 0 0 1 0 0 0 1 1
五、存在的主要问题及改进情况
"""


def test_pdf_like_text():
    t = parse_tables(PDF_2019)
    a, b, got_c = values(t)
    assert (t.format, t.source) == ("template2019", "text")
    assert a["规章.本年新制作数量"] == 0 and a["规范性文件.对外公开总数量"] == 41
    assert (a["行政许可.本年增/减"], a["其他对外管理服务事项.本年增/减"], a["行政处罚.本年增/减"]) == (
        3,
        -4,
        -253,
    )
    assert (a["行政事业性收费.本年增/减"], a["政府集中采购.采购总金额"]) == (-1, 1052.15)
    assert len(a) == 22
    assert list(b) == list(b_rows("template2019"))
    assert b["一"] == [10, 1, 0, 0, 1, 0, 12]
    assert b["二"] == [1, 0, 0, 0, 0, 0, 1]  # glued to the next row: "…1三、本年度办理结果"
    assert b["三.一"] == [5, 1, 0, 0, 0, 0, 6]
    assert b["三.三.5"] == [1, 0, 0, 0, 0, 0, 1]  # 三类内容事务信息 (sic)
    assert b["三.四.1"] == [2, 0, 0, 0, 1, 0, 3]  # page number "- 2 -" dropped
    assert b["三.四.2"] == [0] * 7  # after the page break
    assert b["三.五.5"] == [0] * 7  # label wrapped over two lines
    assert b["三.七"] == [11, 1, 0, 0, 1, 0, 13]
    assert got_c == dict(zip(C_KEYS, [2, 1, 0, 0, 3, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1], strict=True))
    assert headline(t) == {
        "requests_received": 12,
        "requests_carried_over": 1,
        "requests_carried_forward": 0,
        "reconsideration_total": 3,
        "litigation_total": 2,
    }


def test_table_rows_not_narrative_sentences():
    narrative = (
        "（二）依申请公开。其中自然人申请10件，法人或其他组织申请2件；本年新收政府信息公开申请12件，"
        "上年结转政府信息公开申请1件。\n"
    )
    t = parse_tables(narrative + PDF_2019[PDF_2019.index("二、主动公开") :])
    assert len(t.a) == 22
    assert [cell.value for cell in t.b["一"].values()] == [10, 1, 0, 0, 1, 0, 12]
    assert [cell.value for cell in t.b["二"].values()] == [1, 0, 0, 0, 0, 0, 1]


def test_pdf_like_text_with_vanished_cells():
    text = (
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n"
        "一、本年新收政府信息公开申请数量 4 4\n"  # sparse: 自然人 and 总计
        "二、上年结转政府信息公开申请数量 1 0 1\n"  # two cells vanished: unreadable
        "三、本年度办理结果 （一）予以公开\n"  # no numbers at all
        "（二）部分公开 3 0 0 0 0 0 3 9 9\n"
    )  # extra numbers: the first seven
    b = parse_tables(text).b
    assert [b["一"][col].value for col in ("自然人", "总计")] == [4, 4]
    assert {b["一"][col].status for col in B_COLUMNS[1:-1]} == {"blank"}
    assert {cell.status for cell in b["二"].values()} == {"text"}
    assert b["二"]["总计"].raw == "1 0 1"
    assert {cell.status for cell in b["三.一"].values()} == {"blank"}
    assert [cell.value for cell in b["三.二"].values()] == [3, 0, 0, 0, 0, 0, 3]


PIPES_2021 = """二、主动公开政府信息情况
第二十条第(一)项 |
信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
规章 | 0 | 0 | 0 |
行政规范性文件 | 3 | 0 | 101 |
第二十条第(五)项 |
信息内容 | 本年处理决定数量 |
行政许可 | 7 |
第二十条第(六)项 |
信息内容 | 本年处理决定数量 |
行政处罚 | 1472 |
行政强制 | / |
第二十条第(八)项 |
信息内容 | 本年收费金额(单位:万元) |
行政事业性收费 | 0.5 |
三、收到和处理政府信息公开申请情况
(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 |
自然人 | 法人或其他组织 | 总计 |
商业 | 科研 | 社会公益组织 | 法律服务机构 | 其他 |
企业 | 机构 |
一、本年新收政府信息公开申请数量 | 2 | | | | | | 2 |
二、上年结转政府信息公开申请数量 | | | | | | | 0 |
三、本年度办理结果 | (一)予以公开 | 1 | | | | | | 1 |
| (二)部分公开(区分处理的,只计这一情形,不计其他情形) | | | | | | | 0 |
| (三)不予公开 | 1.属于国家秘密 | | | | | | | 0 |
| | 2.其他法律行政法规禁止公开 | | | | | | | 0 |
| | 5.属于三类内部事务信息 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| (六)其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
| | 3.其他 | 0 | 0 | 0 | 0 | 0 | 0 | 0
| (七)总计 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |
四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
四、政府信息公开行政复议、行政诉讼情况
行政复议 | 行政诉讼 |
结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |
| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
| 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | | 0 | 0 | 0 | 0 | 0 | 0 |
"""


def test_pipe_separated_text():
    t = parse_tables(PIPES_2021)
    a, b, got_c = values(t)
    assert t.format == "template2021"
    assert a == {
        "规章.本年制发件数": 0,
        "规章.本年废止件数": 0,
        "规章.现行有效件数": 0,
        "行政规范性文件.本年制发件数": 3,
        "行政规范性文件.本年废止件数": 0,
        "行政规范性文件.现行有效件数": 101,
        "行政许可.本年处理决定数量": 7,
        "行政处罚.本年处理决定数量": 1472,
        "行政强制.本年处理决定数量": None,
        "行政事业性收费.本年收费金额": 0.5,
    }
    assert t.a["行政强制.本年处理决定数量"].status == "na"
    blank = [None] * 5
    assert b == {
        "一": [2, *blank, 2],
        "二": [None, *blank, 0],
        "三.一": [1, *blank, 1],
        "三.二": [None, *blank, 0],
        "三.三.1": [None, *blank, 0],
        "三.三.2": [None, *blank, 0],
        "三.三.5": [1, 0, 0, 0, 0, 0, 1],
        "三.六.1": [0] * 7,
        "三.六.3": [0] * 7,
        "三.七": [2, 0, 0, 0, 0, 0, 2],
        "四": [0] * 7,
    }
    assert got_c == dict(zip(C_KEYS, [1, 0, 0, 0, 1, 0, 0, 0, None, 0, 0, 0, 0, 0, 0], strict=True))
    assert t.c["诉讼直接.未审结"].status == "blank"
    assert headline(t)["litigation_total"] == 0


def test_one_cell_per_line_excerpt():
    text = (
        "二、主动公开政府信息情况\n第二十条第(一)项 | |||\n信息内容 |\n本年新制作数量 |\n本年新公开数量 |\n"
        "对外公开总数量 |\n规章 |\n|\n|\n|\n规范性文件 |\n37 |\n37 |\n637 |\n第二十条第(五)项 | |||\n"
        "信息内容 |\n上一年项目数量 |\n本年增/减 |\n处理决定数量 |\n行政许可 |\n71 |\n-11 |\n0 |\n其他对外管理服务"
    )
    t = parse_tables(text)
    assert t.format == "template2019"
    assert {k: v.value for k, v in t.a.items() if v.status != "blank"} == {
        "规范性文件.本年新制作数量": 37,
        "规范性文件.本年新公开数量": 37,
        "规范性文件.对外公开总数量": 637,
        "行政许可.上一年项目数量": 71,
        "行政许可.本年增/减": -11,
        "行政许可.处理决定数量": 0,
    }
    assert t.a["规章.本年新制作数量"].status == "blank"


@pytest.mark.parametrize(
    ("text", "grid", "fmt"),
    [
        ("信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |", None, "template2021"),
        ("信息内容\n\n本年制发件数\n\n本年废止件数\n\n现行有效件\n\n规章", None, "template2021"),
        ("信息内容 本\n年\n制\n发\n件\n数 本年废止件数", None, "template2021"),
        ("信息内容 | 本年新 制作数量 | 本年新 公开数量 | 对外公开总数量 |", None, "template2019"),
        ("信息内容 | 本年新 | 本年新 | 对外公开总数量 | |", None, "template2019"),
        ("第二十条第(九)项 | ||||\n信息内容 | 采购项目数量 | 采购总金额", None, "template2019"),
        # a 30号 citation in prose does not make a 2021 report: the table is the 2019 one
        (
            "依据国办公开办函〔2021〕30号要求编制。\n信息内容 上一年项目数量 本年增/减 处理决定数量",
            None,
            "template2019",
        ),
        ("依据国办公开办函〔2021〕30号要求编制。", None, None),
        (
            "认真填写规章、行政规范性文件的本年制发件数、本年废止件数、现行有效件数;",
            None,
            None,
        ),  # a notice, no table
        ("", [["信息内容", "本年新制作数量"], ["规章", "0"]], "template2019"),
        ("国办公开办函〔2021〕30号", [["信息内容", "上一年项目数量"]], "template2019"),
        (
            "（六）其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 0",
            None,
            "template2021",
        ),
        ("（六）其他处理 0 0 0 0 0 0 0\n（七）总计", None, "template2019"),
    ],
)
def test_detect_format_from_headers(text, grid, fmt):
    assert detect_format(text, [grid] if grid else None) == fmt


def test_given_format_wins_and_nothing_found_in_prose():
    assert parse_tables(PDF_2019, fmt="template2021").format == "template2021"
    empty = parse_tables("2015年，我局共受理政府信息公开申请3件，行政复议0件。")
    assert not empty.found() and (empty.a, empty.b, empty.c, empty.format) == ({}, {}, {}, None)
    assert headline(empty) == dict.fromkeys(
        (
            "requests_received",
            "requests_carried_over",
            "requests_carried_forward",
            "reconsideration_total",
            "litigation_total",
        )
    )


def test_grid_wins_over_text_and_text_fills_missing_tables():
    t = parse_tables(PDF_2019, grids(c_table([9] * 15)))
    assert t.c["复议.总计"].value == 9  # from the grid
    assert t.b["一"]["总计"].value == 12 and t.a  # from the text
    assert t.source == "text"


def test_cells_long_lists_every_cell():
    t = parse_tables("", grids(A_2021, b_table("template2021", unique_b("template2021")), c_table(C_VALUES)))
    rows = cells_long(t)
    assert len(rows) == 10 + 25 * 7 + 15
    assert rows[0] == {
        "table": "A",
        "row": "规章",
        "column": "本年制发件数",
        "value": 1,
        "raw": "1",
        "status": "number",
    }
    assert {
        "table": "B",
        "row": "三.六.2",
        "column": "其他",
        "value": 2105,
        "raw": "2105",
        "status": "number",
    } in rows
    assert rows[-1] == {
        "table": "C",
        "row": "诉讼复议后",
        "column": "总计",
        "value": 15,
        "raw": "15",
        "status": "number",
    }


def test_flattened_rows_read_by_their_sums():
    """Cells run together ("640020470") or spaced irregularly are cut by the row's sums; a cell
    is read only when every cut that satisfies them agrees."""
    text = (
        "三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
        "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
        "一、本年新收政府信息公开申请数量530010357"
        "二、上年结转政府信息公开申请数量0000000"
        "三、本年度办理结果（一）予以公开230 000023"
        "（七）总计1 0 0 0 0 01四、结转下年度继续办理0000000\n"
        "四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
        "未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
        "20103110001100000\n"
    )
    t = parse_tables(text, fmt="template2021")
    assert [c.value for c in t.b["一"].values()] == [53, 0, 0, 1, 0, 3, 57]
    assert [c.value for c in t.b["二"].values()] == [0] * 7
    assert [c.value for c in t.b["三.一"].values()] == [23, 0, 0, 0, 0, 0, 23]
    assert [c.value for c in t.b["三.七"].values()] == [1, 0, 0, 0, 0, 0, 1]
    h = headline(t)
    assert (h["requests_received"], h["requests_carried_over"]) == (57, 0)
    assert (h["reconsideration_total"], h["litigation_total"]) == (3, 11)


def test_flattened_row_with_one_digit_a_cell_keeps_only_the_groups_that_add_up():
    text = (
        "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
        "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计100000000000000\n"
    )
    t = parse_tables(text, fmt="template2021")
    assert t.c["复议.总计"].status == "text"  # 1+0+0+0 != 0
    assert [t.c[f"诉讼直接.{r}"].value for r in ("维持", "纠正", "其他", "未审结", "总计")] == [0] * 5
    assert headline(t)["reconsideration_total"] is None
    assert headline(t)["litigation_total"] == 0


def test_flattened_row_that_cannot_add_up_stays_unread():
    text = "一、本年新收政府信息公开申请数量123456789\n二、上年结转政府信息公开申请数量000000\n"
    b = parse_tables(text, fmt="template2021").b
    assert {c.status for c in b["一"].values()} == {"text"}
    assert {c.status for c in b["二"].values()} == {"text"}  # six digits for seven cells
