"""Content fingerprints ignore page regeneration, not edits."""

from __future__ import annotations

import pytest

from crawler.recognize.fingerprint import content_fingerprint, visible_text

PAGE = """<html><head><title>某县2024年政府信息公开工作年度报告</title>
<meta name="others" content="页面生成时间 {stamp}"><script>var t = "{stamp}";</script></head>
<body><!-- built {stamp} --><div class="TRS_Editor"><p>主动公开信息{n}条。</p></div>
<style>.x{{}}</style></body></html>"""


def fp(stamp="2025-01-31 04:40:27", n=12, ctype="text/html; charset=utf-8"):
    return content_fingerprint(PAGE.format(stamp=stamp, n=n).encode(), ctype)


def test_regeneration_stamps_do_not_change_the_fingerprint():
    assert fp() == fp(stamp="2025-06-15 09:00:00")


@pytest.mark.parametrize("change", [{"n": 13}, {"ctype": None}])
def test_edits_change_it_and_html_is_sniffed(change):
    if "n" in change:
        assert fp(**change) != fp()
    else:
        assert fp(**change) == fp()  # no Content-Type: recognised as HTML by its start


def test_title_is_part_of_the_content():
    assert "年度报告" in visible_text(PAGE.format(stamp="x", n=1))
    assert visible_text("<html><head><title>A</title></head><body>B &amp; C</body></html>") == "A B & C"


def test_non_html_is_hashed_as_bytes():
    import hashlib

    assert (
        content_fingerprint(b"%PDF-1.4 ...", "application/pdf") == hashlib.sha256(b"%PDF-1.4 ...").hexdigest()
    )


def test_data_scripts_are_content():
    page = '<html><body><script type="text/xml"><datastore><record>{}</record></datastore></script></body></html>'
    assert content_fingerprint(page.format("A").encode(), "text/html") != content_fingerprint(
        page.format("B").encode(), "text/html"
    )


def test_unclosed_tags_stay_linear():
    import time

    hostile = ("<script>" + "x" * 20) * 20000  # 560 KB of unclosed scripts
    started = time.perf_counter()
    content_fingerprint(hostile.encode(), "text/html")
    content_fingerprint((("<!--" + "y" * 20) * 20000).encode(), "text/html")
    assert time.perf_counter() - started < 1.0
