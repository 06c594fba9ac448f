"""Bad input: every case gets a clear status, nothing raises, and the worker pool survives.

The hanging, crashing and memory-hogging tasks come from :func:`misbehaving_extract`, an
extractor these tests hand to the pool (shipped code has no such switch): it hangs, segfaults or
allocates 8 GiB for three test-only content types and extracts everything else as usual.
"""

from __future__ import annotations

import io
import os
import signal
import time
import zipfile
from pathlib import Path

import pytest

from crawler.extract import extract_bytes
from crawler.extract.pool import extract_many

TEST_TYPE = "application/x-test-"


def misbehaving_extract(data: bytes, *, content_type: str | None = None, **options):
    """:func:`extract_bytes`, except that ``application/x-test-hang``/``-crash``/``-hog``/``-raise``
    hang for an hour, kill the worker with SIGSEGV, allocate 8 GiB (beyond RLIMIT_AS) or raise."""
    what = (content_type or "").removeprefix(TEST_TYPE) if (content_type or "").startswith(TEST_TYPE) else ""
    if what == "hang":
        time.sleep(3600)
    elif what == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif what == "hog":
        hog = bytearray(8 * 1024**3)
        del hog
    elif what == "raise":
        raise ValueError("an extractor bug")
    return extract_bytes(data, content_type=content_type, **options)


GOLDEN_DIR = Path(__file__).parent / "golden_text"
PDF = (GOLDEN_DIR / "report.pdf").read_bytes()


def big_pdf(noise_bytes: int) -> bytes:
    """A valid one-page PDF ('Hello big PDF') carrying an incompressible stream of ``noise_bytes``."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
    ]
    content = b"BT /F1 24 Tf 72 700 Td (Hello big PDF) Tj ET"
    objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    noise = os.urandom(noise_bytes)
    objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(noise), noise))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (i, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def encrypted_pdf(user_password: str) -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    enc = pdfencrypt.StandardEncryption(user_password, "owner-secret", canPrint=1)
    cv = canvas.Canvas(buf, encrypt=enc, invariant=1)
    cv.drawString(72, 700, "secret annual report text")
    cv.showPage()
    cv.save()
    return buf.getvalue()


def docx_with(document_xml: bytes, *, level: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=level) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", document_xml)
    return buf.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>
<w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""


def test_zero_byte() -> None:
    result = extract_bytes(b"", content_type="application/pdf", url="a.pdf")
    assert (result.status, result.error) == ("empty", "empty file (0 bytes)")


def test_truncated_pdf_keeps_status_error() -> None:
    result = extract_bytes(PDF[: len(PDF) // 2])
    assert result.status == "error" and result.error.startswith("truncated or damaged PDF")


def test_header_only_pdf() -> None:
    result = extract_bytes(b"%PDF-1.4\n1 0 obj garbage")
    assert result.status == "error" and "truncated or damaged PDF" in result.error


def test_encrypted_pdf() -> None:
    result = extract_bytes(encrypted_pdf("user-secret"))
    assert (result.status, result.error) == ("error", result.error) and result.error.startswith(
        "encrypted PDF"
    )


def test_encrypted_pdf_with_empty_password_opens() -> None:
    result = extract_bytes(encrypted_pdf(""))
    assert result.status == "ok" and "secret annual report text" in result.text


def test_mislabelled_pdf() -> None:
    page = "<html><head><title>404</title></head><body><div id='content'>页面不存在</div></body></html>"
    result = extract_bytes(page.encode(), content_type="application/pdf", url="https://x.gov.cn/P0202.pdf")
    assert (result.status, result.file_type, result.text) == ("ok", "html", "页面不存在")
    junk = extract_bytes(b"\x00\x01garbage" * 10, content_type="application/pdf", url="a.pdf")
    assert (junk.status, junk.error) == ("error", "not a PDF (no %PDF- header)")


def test_fifty_megabyte_pdf(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    path.write_bytes(big_pdf(50_000_000))
    data = path.read_bytes()
    started = time.monotonic()
    result = extract_bytes(data)
    assert result.status == "ok" and result.text == "Hello big PDF" and result.pages == 1
    assert time.monotonic() - started < 10
    small_limit = extract_bytes(data, max_bytes=10_000_000)
    assert (
        small_limit.status == "too_large" and "limit" in small_limit.error and small_limit.file_type == "pdf"
    )


def test_docx_zip_bomb() -> None:
    bomb = docx_with(b"<w:document>" + b" " * 30_000_000 + b"</w:document>")
    assert len(bomb) < 100_000
    result = extract_bytes(bomb)
    assert result.status == "error" and result.error.startswith("zip bomb guard")


def test_docx_total_size_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.extract import office

    monkeypatch.setattr(office, "MAX_UNCOMPRESSED", 1000)
    result = extract_bytes(docx_with(os.urandom(5000), level=zipfile.ZIP_STORED))
    assert result.status == "error" and "MB uncompressed" in result.error


def test_docx_entity_bomb() -> None:
    started = time.monotonic()
    result = extract_bytes(docx_with(BILLION_LAUGHS))
    assert result.status == "error" and result.error.startswith("XML entity bomb guard")
    assert time.monotonic() - started < 2


def test_damaged_docx_and_xlsx() -> None:
    broken = docx_with(b"<w:document><unclosed")
    assert extract_bytes(broken).error.startswith("damaged DOCX")
    damaged = extract_bytes(b"PK\x03\x04" + b"\x00" * 100, url="a.xlsx")
    assert (damaged.status, damaged.file_type) == ("error", "xlsx") and damaged.error.startswith(
        "damaged XLSX"
    )


def test_twenty_megabyte_html() -> None:
    para = "<p>本年度我局主动公开政府信息若干条，依申请公开工作依法依规开展。</p>\n"
    table = "<table><tr><td rowspan='2'>项目</td><td>1</td></tr><tr><td>2</td></tr></table>\n"
    body = (para * 50 + table) * (20_000_000 // (len((para * 50 + table).encode())) + 1)
    page = f"<html><body><div class='nav'>首页</div><div id='zoom'>{body}</div></body></html>".encode()
    assert len(page) > 20_000_000
    started = time.monotonic()
    result = extract_bytes(page)
    elapsed = time.monotonic() - started
    assert result.status == "ok" and result.text.startswith("本年度我局") and len(result.tables) > 100
    assert elapsed < 20, elapsed


def test_image_that_is_not_an_image() -> None:
    result = extract_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 100, url="scan.png")
    assert (result.status, result.file_type) == ("error", "image") and result.error.startswith(
        "not a readable image"
    )
    labelled = extract_bytes(b"\x00\x01\x02garbage", content_type="image/jpeg")
    assert labelled.status == "error" and "not a readable image" in labelled.error


def test_unknown_binary_is_unsupported() -> None:
    result = extract_bytes(b"\x00\x01\x02\x03" * 50)
    assert result.status == "unsupported" and result.error


def test_pool_survives_every_bad_input() -> None:
    tasks = [
        ("hang", b"x", {"content_type": TEST_TYPE + "hang"}),
        ("crash", b"x", {"content_type": TEST_TYPE + "crash"}),
        ("hog", b"x", {"content_type": TEST_TYPE + "hog"}),
        ("raise", b"x", {"content_type": TEST_TYPE + "raise"}),
        ("truncated", PDF[:3000], {}),
        ("encrypted", encrypted_pdf("pw"), {}),
        ("empty", b"", {"url": "a.pdf"}),
        ("bomb", docx_with(BILLION_LAUGHS), {}),
        ("notimage", b"\x89PNG\r\n\x1a\nxx", {}),
        ("huge", b"%PDF-1.4" + b"\x00" * 2_000_000, {}),
        ("good1", PDF, {"content_type": "application/pdf"}),
        ("good2", PDF, {}),
    ]
    started = time.monotonic()
    results = dict(
        extract_many(
            tasks, workers=2, timeout=3, memory_mb=1024, max_bytes=1_000_000, extractor=misbehaving_extract
        )
    )
    assert time.monotonic() - started < 15
    assert set(results) == {key for key, _, _ in tasks}
    status = {key: r.status for key, r in results.items()}
    assert status == {
        "hang": "timeout",
        "crash": "error",
        "hog": "error",
        "raise": "error",
        "truncated": "error",
        "encrypted": "error",
        "empty": "empty",
        "bomb": "error",
        "notimage": "error",
        "huge": "too_large",
        "good1": "ok",
        "good2": "ok",
    }
    assert "SIGSEGV" in results["crash"].error
    assert "MemoryError" in results["hog"].error
    assert results["raise"].error == "ValueError: an extractor bug"
    assert "worker killed" in results["hang"].error
    assert results["good1"].text == results["good2"].text


def test_pool_next_task_after_timeout_succeeds() -> None:
    tasks = [("hang", b"x", {"content_type": TEST_TYPE + "hang"}), ("after", PDF, {})]
    out = list(extract_many(tasks, workers=1, timeout=2, extractor=misbehaving_extract))
    assert [(k, r.status) for k, r in out] == [("hang", "timeout"), ("after", "ok")]
