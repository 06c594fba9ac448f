"""Extractors on good input: golden texts, sniffing, tables, split HTML articles, sheets."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from crawler.extract import EXTRACTOR_VERSION, ExtractResult, extract_bytes, extract_html_pages, sniff
from crawler.extract.tables import expand_grid, render_rows
from tests.golden_text.make import GOLDEN, report_docx

GOLDEN_DIR = Path(__file__).parent / "golden_text"


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_text(name: str) -> None:
    data = (GOLDEN_DIR / name).read_bytes()
    result = extract_bytes(data, url=f"https://www.example.gov.cn/{name}")
    assert result.status == "ok", result.error
    expected = (GOLDEN_DIR / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")
    assert result.text == expected, f"{name} changed: run tests/golden_text/regen.py and review the diff"
    assert result.error is None and result.version and EXTRACTOR_VERSION


def test_golden_inputs_are_reproducible() -> None:
    for name in ("report_2021.html", "report.pdf", "report_rtf.doc", "report_gbk.rtf"):
        assert GOLDEN[name]() == (GOLDEN_DIR / name).read_bytes(), name


def test_html_report_body_tables_and_widgets() -> None:
    result = extract_bytes((GOLDEN_DIR / "report_2021.html").read_bytes())
    assert (result.extractor, result.file_type) == ("html", "html")
    text = result.text
    for marker in ("一、总体情况", "二、主动公开政府信息情况", "六、其他需要报告的事项"):
        assert marker in text
    for widget in (
        "纠错",
        "打印本页",
        "关闭窗口",
        "分享到",
        "当前位置",
        "版权所有",
        "索引号",
        "机构概况",
        "var trs",
    ):
        assert widget not in text
    assert len(result.tables) == 3
    table_b = result.tables[1]
    assert len({len(row) for row in table_b}) == 1  # rectangular after expansion
    assert table_b[0][3] == table_b[0][9] == "申请人情况"  # colspan repeated in the grid
    assert "第三项加第四项之和） | 申请人情况\n" in text and text.count("申请人情况") == 1  # once in the text
    assert "一、本年新收政府信息公开申请数量 | " in text


def test_gbk_html_decodes_like_utf8() -> None:
    utf8 = extract_bytes((GOLDEN_DIR / "report_2021.html").read_bytes())
    gbk = extract_bytes((GOLDEN_DIR / "report_gbk.html").read_bytes(), content_type="text/html")
    assert gbk.text == utf8.text and gbk.tables == utf8.tables


def test_expand_grid_rowspan_colspan() -> None:
    rows = [[("a", 2, 1), ("b", 1, 2)], [("c", 1, 1), ("d", 1, 1)], [("e", 1, 3)]]
    grid, origin = expand_grid(rows)
    assert grid == [["a", "b", "b"], ["a", "c", "d"], ["e", "e", "e"]]
    assert render_rows(grid, origin) == ["a | b", "c | d", "e"]
    assert render_rows(grid) == ["a | b | b", "a | c | d", "e | e | e"]
    assert expand_grid([[("x", 99999, 1)]])[0] == [["x"]]  # a span past the end is cut


def test_html_nested_layout_table_and_fallback_body() -> None:
    page = (
        "<html><body><table><tr><td><div class='menu'>首页 导航</div></td></tr><tr><td>"
        "<p>一、总体情况</p><table><tr><td rowspan='2'>项目</td><td>1</td></tr><tr><td>2</td></tr></table>"
        "<p>六、其他需要报告的事项</p></td></tr></table></body></html>"
    )
    result = extract_bytes(page.encode())
    assert result.text == "一、总体情况\n项目 | 1\n2\n六、其他需要报告的事项"
    assert result.tables == [[["项目", "1"], ["项目", "2"]]]


def test_html_pages_joined_in_order() -> None:
    pages = [
        f"<html><body><div id='zoom'><p>第{i}页内容</p></div><div class='page'>下一页</div></body></html>".encode()
        for i in (1, 2, 3)
    ]
    result = extract_html_pages(pages, url="http://x.gov.cn/t20240101_1.html")
    assert result.status == "ok" and result.pages == 3
    assert result.text == "第1页内容\n第2页内容\n第3页内容"


def test_pdf_text_layer() -> None:
    result = extract_bytes((GOLDEN_DIR / "report.pdf").read_bytes(), ocr=False)
    assert (result.status, result.extractor, result.ocr) == ("ok", "pdfium", False)
    assert result.pages == 2 and "\f" in result.text
    assert "一、本年新收政府信息公开申请数量" in result.text
    assert result.version.startswith("pypdfium2 ")


def test_docx_body_order_and_merges() -> None:
    result = extract_bytes(report_docx())
    assert result.file_type == "docx"
    assert result.tables == [
        [
            ["本列数据的勾稽关系", "申请人情况", "申请人情况", "申请人情况"],
            ["本列数据的勾稽关系", "自然人", "法人或其他组织", "总计"],
            ["一、本年新收政府信息公开申请数量", "5", "1", "6"],
            ["二、上年结转政府信息公开申请数量", "0", "0", "0"],
        ]
    ]
    lines = result.text.split("\n")
    assert (
        lines.index("三、收到和处理政府信息公开申请情况")
        < lines.index("自然人 | 法人或其他组织 | 总计")
        < lines.index("六、其他需要报告的事项")
    )


def test_rtf_gbk_escapes() -> None:
    result = extract_bytes(
        (GOLDEN_DIR / "report_gbk.rtf").read_bytes(), url="x.doc", content_type="application/msword"
    )
    assert result.file_type == "rtf"
    assert result.text == "2023年政府信息公开工作年度报告\n一、总体情况\n主动公开政府信息120条。"


def test_xlsx_sheets_as_tables() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表二"
    ws.append(["项目", "自然人", "总计"])
    ws.append(["新收申请", 5, 6.0])
    ws.merge_cells("A3:C3")
    ws["A3"] = "合计说明"
    wb.create_sheet("空表")
    buf = io.BytesIO()
    wb.save(buf)
    result = extract_bytes(buf.getvalue(), url="a.xlsx")
    assert (result.status, result.file_type, result.extractor) == ("ok", "xlsx", "xlsx")
    assert result.tables == [[["项目", "自然人", "总计"], ["新收申请", "5", "6"], ["合计说明"] * 3]]
    assert result.text == "[表二]\n项目 | 自然人 | 总计\n新收申请 | 5 | 6\n合计说明"


def test_txt_gbk() -> None:
    result = extract_bytes("政府信息公开工作年度报告\r\n一、总体情况".encode("gbk"), url="a.txt")
    assert (result.status, result.file_type, result.text) == (
        "ok",
        "txt",
        "政府信息公开工作年度报告\n一、总体情况",
    )


@pytest.mark.parametrize(
    ("data", "ctype", "url", "kind"),
    [
        (b"%PDF-1.7\n...", None, None, "pdf"),
        (b"\n\n%PDF-1.4", "text/html", "a.html", "pdf"),
        (b"<!DOCTYPE html><html><body>404</body></html>", "application/pdf", "x.pdf", "html"),
        (b"{\\rtf1\\ansi", "application/msword", "a.doc", "rtf"),
        (b"\x89PNG\r\n\x1a\n0000", None, None, "image"),
        (b"\xff\xd8\xff\xe0JFIF", None, None, "image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), None, "a.doc", "doc"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), None, "a.wps", "wps"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le"), None, "a.et", "xls"),
        (b"\x00\x01\x02\x03binary", "application/pdf", None, "pdf"),
        (b"\x00\x01\x02\x03binary", None, None, None),
        ("纯文本".encode(), None, "a.pdf", "txt"),
    ],
)
def test_sniff(data: bytes, ctype: str | None, url: str | None, kind: str | None) -> None:
    assert sniff(data, ctype, url) == kind


def test_sniff_zip_kinds() -> None:
    assert sniff(report_docx()) == "docx"
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<x/>")
    assert sniff(buf.getvalue(), None, "a.docx") == "xlsx"


def test_result_is_frozen() -> None:
    result = ExtractResult(status="ok")
    with pytest.raises(AttributeError):
        result.status = "error"  # type: ignore[misc]
