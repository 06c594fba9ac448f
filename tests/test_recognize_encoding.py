"""Decoding fetched bytes: BOM → HTTP → meta → XML declaration → sniff → UTF-8 (portals.md §4)."""

from __future__ import annotations

import codecs

import pytest

from crawler.recognize.encoding import canonical_encoding, decode_body

RONG = "安镕县人民政府2023年政府信息公开工作年度报告"  # 镕 is in GBK, not in GB2312


def _page(charset: str, body: str = RONG) -> str:
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{body}</title></head><body><p>{body}。统计期限自2023年1月1日起。</p></body></html>"
    )


def test_gb2312_page_with_gbk_only_character_decodes_via_gb18030():
    raw = _page("gb2312").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")
    text, enc = decode_body(raw, "text/html; charset=gb2312")
    assert enc == "gb18030"
    assert RONG in text


@pytest.mark.parametrize("label", ["gb2312", "GBK", "gb_2312-80", "x-gbk", "GB2312", "cp936"])
def test_gb_labels_in_meta_only(label):
    text, enc = decode_body(_page(label).encode("gbk"))
    assert (enc, RONG in text) == ("gb18030", True)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("gb_2312-80", "gb18030"),
        ("x-gbk", "gb18030"),
        ("GB18030", "gb18030"),
        ("UTF-8", "utf-8"),
        ("utf8", "utf-8"),
        ("Big5", "big5"),
        ("'utf-8'", "utf-8"),
        ("no-such-charset", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_encoding(label, expected):
    assert canonical_encoding(label) == expected


def test_bom_wins_over_everything():
    raw = codecs.BOM_UTF8 + _page("gb2312").encode("utf-8")
    text, enc = decode_body(raw, "text/html; charset=gbk")
    assert enc == "utf-8" and text.startswith("<html>") and RONG in text


def test_utf16_bom():
    raw = codecs.BOM_UTF16_LE + "<p>年度报告</p>".encode("utf-16-le")
    assert decode_body(raw) == ("<p>年度报告</p>", "utf-16-le")


def test_http_charset_beats_meta():
    raw = _page("gb2312").encode("utf-8")
    text, enc = decode_body(raw, "text/html; charset=UTF-8")
    assert enc == "utf-8" and RONG in text


def test_wrong_http_charset_falls_through_to_meta():
    raw = _page("gbk").encode("gbk")
    text, enc = decode_body(raw, "text/html; charset=utf-8")
    assert enc == "gb18030" and RONG in text


def test_latin1_header_on_chinese_bytes_is_not_trusted():
    raw = _page("gb2312").encode("gbk")
    text, enc = decode_body(raw, "text/html; charset=iso-8859-1")
    assert enc == "gb18030" and RONG in text


def test_xml_declaration():
    raw = '<?xml version="1.0" encoding="GBK"?><datastore><totalrecord>3</totalrecord>镕</datastore>'.encode(
        "gbk"
    )
    text, enc = decode_body(raw)
    assert enc == "gb18030" and "镕" in text


def test_no_declaration_utf8():
    raw = f"<html><body>{RONG}</body></html>".encode()
    assert decode_body(raw) == (f"<html><body>{RONG}</body></html>", "utf-8")


def test_no_declaration_gbk_is_sniffed():
    raw = (
        "<html><body>"
        + "本报告依据《中华人民共和国政府信息公开条例》编制，统计期限自2023年1月1日起至12月31日止。" * 5
        + "</body></html>"
    ).encode("gbk")
    text, enc = decode_body(raw)
    assert (enc, "中华人民共和国政府信息公开条例" in text) == ("gb18030", True)


def test_short_gbk_without_declaration():
    assert decode_body("<p>安镕县2023年报告</p>".encode("gbk")) == ("<p>安镕县2023年报告</p>", "gb18030")


def test_ascii_with_declared_charset():
    assert decode_body(b"<html>ok</html>", "text/html; charset=gb2312") == ("<html>ok</html>", "gb18030")
    assert decode_body(b"<html>ok</html>") == ("<html>ok</html>", "utf-8")


def test_meta_charset_beyond_4kb_is_ignored():
    raw = (
        b"<html><head>"
        + b" " * 5000
        + b'<meta charset="gbk"></head><body>'
        + "年度报告".encode()
        + b"</body></html>"
    )
    text, enc = decode_body(raw)
    assert enc == "utf-8" and "年度报告" in text


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\x01\x02\xff\xfe\xfd" * 100,
        bytes(range(256)) * 50,
        b"\x81",
        b"<meta charset=utf-16><p>x</p>",
        b'<meta charset="bogus-charset"><p>\xe5\xb9\xb4</p>',
    ],
)
def test_never_raises(raw):
    text, enc = decode_body(raw, "text/html; charset=nonsense")
    assert isinstance(text, str) and isinstance(enc, str)
    codecs.lookup(enc)


def test_raw_bytes_are_not_modified():
    raw = bytearray(_page("gb2312").encode("gbk"))
    before = bytes(raw)
    decode_body(bytes(raw))
    assert bytes(raw) == before
