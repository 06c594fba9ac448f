"""Tests for crawler.recognize.headers: attachment names and kinds from response headers."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from crawler.recognize.headers import FILE_TYPES, content_disposition_filename, is_document_response

NAME = "北京市密云区2023年政府信息公开工作年度报告.pdf"
B64 = base64.b64encode(NAME.encode()).decode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(f"attachment; filename*=UTF-8''{quote(NAME)}", NAME, id="rfc5987-utf8"),
        pytest.param(
            f"attachment; filename=\"report.pdf\"; filename*=utf-8'zh-cn'{quote(NAME)}",
            NAME,
            id="filename-star-wins",
        ),
        pytest.param(f"attachment; filename*=GBK''{quote(NAME.encode('gbk'))}", NAME, id="rfc5987-gbk"),
        pytest.param(b'attachment; filename="' + NAME.encode("gbk") + b'"', NAME, id="gbk-raw-bytes"),
        pytest.param(b"attachment;filename=" + NAME.encode("utf-8"), NAME, id="utf8-raw-unquoted"),
        pytest.param(
            NAME.encode("gbk").decode("latin-1").join(['attachment; filename="', '"']),
            NAME,
            id="gbk-bytes-seen-as-latin1",
        ),
        pytest.param(f"attachment; filename={quote(NAME)}", NAME, id="percent-utf8"),
        pytest.param(f"attachment; filename={quote(NAME.encode('gbk'))}", NAME, id="percent-gbk"),
        pytest.param(f'attachment; filename="=?UTF-8?B?{B64}?="', NAME, id="rfc2047"),
        pytest.param('attachment; filename="../../x.pdf"', "x.pdf", id="path-traversal"),
        pytest.param('attachment; filename="C:\\\\reports\\\\x.pdf"', "x.pdf", id="windows-path"),
        pytest.param('inline; filename="2023 年报 (定稿).docx"', "2023 年报 (定稿).docx", id="inline-spaces"),
        pytest.param('attachment; filename="a;b.pdf"; size=12', "a;b.pdf", id="quoted-semicolon"),
        pytest.param("attachment", None, id="no-filename"),
        pytest.param('attachment; filename=".."', None, id="dotdot-only"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
    ],
)
def test_content_disposition_filename(value: bytes | str | None, expected: str | None) -> None:
    assert content_disposition_filename(value) == expected


@pytest.mark.parametrize(
    ("content_type", "disposition", "url", "expected"),
    [
        pytest.param(
            "application/pdf", None, "https://x.gov.cn/a/P020241219531612435781.pdf", "pdf", id="pdf"
        ),
        pytest.param(
            "application/octet-stream",
            'attachment; filename="report.pdf"',
            "https://x.gov.cn/module/download/downfile.jsp?classid=0",
            "pdf",
            id="octet-stream-filename",
        ),
        pytest.param(
            "application/octet-stream", None, "https://x.gov.cn/a/report.wps", "wps", id="octet-stream-url"
        ),
        pytest.param(
            "application/octet-stream",
            None,
            "https://x.gov.cn/download?id=9",
            "other-attachment",
            id="octet-stream-bare",
        ),
        pytest.param("application/msword", None, "https://x.gov.cn/a/report.doc", "doc", id="msword"),
        pytest.param(
            "application/msword",
            'attachment; filename="r.docx"',
            "https://x.gov.cn/d?id=1",
            "docx",
            id="msword-mislabelled-docx",
        ),
        pytest.param(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document; charset=utf-8",
            None,
            "https://x.gov.cn/a",
            "docx",
            id="docx",
        ),
        pytest.param("application/vnd.ms-excel", None, "https://x.gov.cn/a.xls", "xls", id="xls"),
        pytest.param(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            None,
            "https://x/a",
            "xlsx",
            id="xlsx",
        ),
        pytest.param("application/kswps", None, "https://x.gov.cn/a", "wps", id="kswps"),
        pytest.param("application/ofd", None, "https://x.gov.cn/a", "ofd", id="ofd"),
        pytest.param("application/x-zip-compressed", None, "https://x.gov.cn/a", "zip", id="zip"),
        pytest.param("application/x-rar-compressed", None, "https://x.gov.cn/a", "rar", id="rar"),
        pytest.param("image/jpeg", None, "https://x.gov.cn/scan.jpg", "other-attachment", id="image"),
        pytest.param(
            "text/html; charset=utf-8", None, "https://x.gov.cn/a/t20240115_1.html", None, id="html"
        ),
        pytest.param("text/html", None, "https://x.gov.cn/a/report.pdf", None, id="html-error-at-pdf-url"),
        pytest.param(
            "text/html",
            'attachment; filename="r.pdf"',
            "https://x.gov.cn/d?id=1",
            "pdf",
            id="html-type-but-attachment",
        ),
        pytest.param(
            None,
            None,
            "https://x.gov.cn/module/download/downfile.jsp?classid=0&filename=ab12.pdf",
            "pdf",
            id="no-type-hanweb-url",
        ),
        pytest.param(None, None, "https://x.gov.cn/a/P020241219531612435781.docx", "docx", id="no-type-url"),
        pytest.param(
            None,
            b'attachment; filename="' + "年报.pdf".encode("gbk") + b'"',
            "https://x/d",
            "pdf",
            id="no-type-gbk-disposition",
        ),
        pytest.param(None, None, "https://x.gov.cn/zfxxgknb/", None, id="no-type-column-url"),
        pytest.param("application/json", None, "https://x.gov.cn/api/list", None, id="json"),
    ],
)
def test_is_document_response(
    content_type: str | None, disposition: bytes | str | None, url: str, expected: str | None
) -> None:
    result = is_document_response(content_type, disposition, url)
    assert result == expected
    assert result is None or result in FILE_TYPES
