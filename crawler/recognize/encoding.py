"""Decode fetched bytes into text without ever raising.

Order of evidence (portals.md §4): byte-order mark → HTTP ``Content-Type`` charset →
``<meta charset>`` / ``http-equiv`` in the first 4 KB → XML declaration → charset-normalizer
sniff → UTF-8 with replacement characters. GB2312/GBK labels decode as GB18030, because pages
labelled gb2312 carry GBK-only characters (镕 喆 堃). A declared charset that does not fit the
bytes (more than a few undecodable sequences) is passed over for the next piece of evidence;
a latin-1 label on bytes that are not ASCII (an error-page default) counts only as a last
resort. The caller keeps the raw bytes; this module never changes them.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_GB_ALIASES = frozenset(
    {
        "gb2312",
        "gbk",
        "gb_2312-80",
        "gb_2312",
        "x-gbk",
        "cp936",
        "ms936",
        "csgb2312",
        "euc-cn",
        "euccn",
        "936",
        "windows-936",
        "gb18030",
        "x-gb18030",
        "hz-gb-2312",
    }
)
_WEAK_LABELS = frozenset({"latin_1", "iso8859-1", "ascii", "cp1252"})
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:+-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([\w.:+-]+)", re.I)
_XML_DECL = re.compile(rb"^\s*<\?xml\b[^>]*?encoding\s*=\s*[\"']\s*([\w.:+-]+)", re.I)
_SNIFF_BYTES = 256 * 1024
_MAX_BAD_SHARE = 0.001  # replacement characters tolerated in a declared decoding


def canonical_encoding(label: str | None) -> str | None:
    """Python codec name for a charset label, with every GB label mapped to ``gb18030``.

    Unknown or empty labels give None.
    """
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _GB_ALIASES:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):
        return None
    return "gb18030" if name in {"gb2312", "gbk"} else name


def _fits(body: bytes, encoding: str) -> str | None:
    """The decoded text when the bytes fit ``encoding`` (a few bad sequences allowed)."""
    try:
        return body.decode(encoding)
    except UnicodeDecodeError:
        pass
    except (LookupError, ValueError):
        return None
    text = body.decode(encoding, errors="replace")
    bad = text.count("\ufffd")
    return text if bad <= max(2, len(text) * _MAX_BAD_SHARE) else None


def _declared(body: bytes, content_type: str | None) -> list[str]:
    labels: list[str | None] = []
    if content_type:
        header = _HTTP_CHARSET.search(content_type)
        labels.append(header.group(1) if header else None)
    head = body[:4096]
    m = _META_CHARSET.search(head)
    labels.append(m.group(1).decode("ascii", "ignore") if m else None)
    m = _XML_DECL.search(head)
    labels.append(m.group(1).decode("ascii", "ignore") if m else None)
    out: list[str] = []
    for label in labels:
        enc = canonical_encoding(label)
        # A UTF-16/32 label read from ASCII-compatible bytes is a lie (browsers ignore it too).
        if enc and enc not in out and not enc.startswith(("utf-16", "utf-32")):
            out.append(enc)
    return out


def _sniff(body: bytes) -> str | None:
    try:
        best = from_bytes(body[:_SNIFF_BYTES]).best()
    except Exception:  # a sniffer failure must never fail a fetch
        return None
    return canonical_encoding(best.encoding) if best is not None else None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``body`` and return ``(text, encoding used)``; never raises.

    The encoding is a Python codec name (``utf-8``, ``gb18030``, ``big5`` …). A BOM is not
    part of the returned text.
    """
    if not body:
        return "", "utf-8"
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(enc, errors="replace"), enc
    declared = _declared(body, content_type)
    non_ascii = not body.isascii()
    weak: list[str] = []
    for enc in declared:
        if non_ascii and enc in _WEAK_LABELS:
            weak.append(enc)
            continue
        text = _fits(body, enc)
        if text is not None:
            return text, enc
    if not non_ascii:
        return body.decode("ascii"), declared[0] if declared else "utf-8"
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    sniffed = _sniff(body)
    if sniffed:
        text = _fits(body, sniffed)
        if text is not None:
            return text, sniffed
    for enc in weak:
        return body.decode(enc, errors="replace"), enc
    return body.decode("utf-8", errors="replace"), "utf-8"
