"""OCR (tesseract chi_sim) and LibreOffice paths. The ones that run the tools are ``slow`` and
skip with a reason when the tool is missing (fail with NIANBAO_REQUIRE_TOOLS=1; tests/tools.py);
CI installs both."""

from __future__ import annotations

import difflib
import io
import subprocess
from pathlib import Path

import pytest

from crawler.extract import extract_bytes, office
from tests.golden_text.make import SCAN_LINES, report_docx, scan_image, scan_pdf
from tests.tools import requires_cjk_font, requires_soffice, requires_tesseract, soffice_path


def _similarity(text: str, expected: list[str]) -> float:
    return difflib.SequenceMatcher(None, "".join(text.split()), "".join(expected)).ratio()


def _convert(tmp_path: Path, name: str, data: bytes, target: str) -> bytes:
    src = tmp_path / name
    src.write_bytes(data)
    subprocess.run(
        [
            soffice_path(),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            target,
            "--outdir",
            str(tmp_path / "out"),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (tmp_path / "out" / f"{src.stem}.{target.split(':')[0]}").read_bytes()


@pytest.mark.slow
@requires_tesseract
@requires_cjk_font
def test_scanned_pdf_is_ocrd() -> None:
    result = extract_bytes(scan_pdf())
    assert (result.status, result.extractor, result.ocr, result.pages) == ("ok", "pdfium+tesseract", True, 1)
    assert _similarity(result.text, SCAN_LINES) >= 0.9, result.text
    for phrase in ("政府信息公开工作年度报告", "一、总体情况", "六、其他需要报告的事项"):
        assert phrase in result.text
    assert "tesseract" in result.version


@pytest.mark.slow
@requires_tesseract
@requires_cjk_font
def test_image_file_is_ocrd() -> None:
    buf = io.BytesIO()
    scan_image().save(buf, format="PNG")
    result = extract_bytes(buf.getvalue(), url="scan.png")
    assert (result.status, result.file_type, result.ocr) == ("ok", "image", True)
    assert _similarity(result.text, SCAN_LINES) >= 0.9


@requires_cjk_font
def test_scan_without_ocr_says_needs_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    data = scan_pdf()
    off = extract_bytes(data, ocr=False)
    assert off.status == "needs_ocr" and "1 of 1 pages have no text layer; OCR disabled" == off.error
    monkeypatch.setattr("crawler.extract.pdf.ocr_unavailable", lambda: "tesseract not installed (test)")
    missing = extract_bytes(data)
    assert missing.status == "needs_ocr" and "tesseract not installed (test)" in missing.error


def test_doc_without_soffice_needs_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office, "soffice_path", lambda: None)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\x00" * 100
    result = extract_bytes(ole, url="a.doc")
    assert (result.status, result.file_type) == ("needs_tool", "doc") and "soffice" in result.error


@pytest.mark.slow
@requires_soffice
def test_doc_and_wps_via_libreoffice(tmp_path: Path) -> None:
    doc = _convert(tmp_path, "report.docx", report_docx(), "doc")
    expected = extract_bytes(report_docx())
    for url, kind in (("https://x.gov.cn/a.doc", "doc"), ("https://x.gov.cn/a.wps", "wps")):
        result = extract_bytes(doc, url=url)
        assert (result.status, result.file_type, result.extractor) == ("ok", kind, "libreoffice"), (
            result.error
        )
        assert result.tables == expected.tables
        for line in expected.text.split("\n"):
            assert line in result.text
        assert result.version.startswith("LibreOffice")


def test_xls_via_xlrd() -> None:
    import xlwt  # writes real BIFF8 .xls files (test dependency)

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("表三")
    sheet.write(0, 0, "项目")
    sheet.write_merge(0, 0, 1, 2, "行政复议")
    sheet.write(1, 0, "结果维持")
    sheet.write(1, 1, 2)
    sheet.write(1, 2, 3)
    buf = io.BytesIO()
    book.save(buf)
    result = extract_bytes(buf.getvalue(), url="t.xls")
    assert (result.status, result.file_type, result.extractor) == ("ok", "xls", "xls"), result.error
    assert result.tables == [[["项目", "行政复议", "行政复议"], ["结果维持", "2", "3"]]]
    assert result.text == "[表三]\n项目 | 行政复议\n结果维持 | 2 | 3"


@pytest.mark.slow
@requires_soffice
def test_soffice_garbage_is_an_error() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\x00" * 600
    result = extract_bytes(ole, url="a.doc")
    assert result.status in {"error", "empty"} and result.error
