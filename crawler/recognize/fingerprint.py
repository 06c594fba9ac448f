"""Content fingerprints: what counts as "the same content" for document versions.

Portals regenerate pages (``页面生成时间`` in ``meta others``, build stamps, rotating scripts)
without changing what they say, so an HTML page's version is the hash of its visible text (the
title plus everything outside tags, scripts, styles and comments in the body, whitespace
collapsed), not of its bytes.  Other files (PDF, DOCX…) are hashed as bytes.  The raw bytes
stay in WARC with their own SHA-256 either way.  Regular expressions, not a DOM parse: this
runs on every page the crawler fetches.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import re

from crawler.recognize.encoding import decode_body

_WS = re.compile(r"\s+")
# Openers of the parts that are not visible text.  JavaScript is dropped; a script holding data
# (Hanweb's <script type="text/xml"> record list) is content and kept.
_OPEN = re.compile(r"<!--|<(script|style|noscript|template|head)\b([^>]*)>", re.I)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")
_HTML_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml")


def _strip_invisible(html: str) -> str:
    """Remove comments, scripts, styles and the head in one left-to-right pass (linear even
    with unclosed tags: an opener without its closer drops the rest of the page)."""
    out, pos, lower = [], 0, html.lower()
    while (m := _OPEN.search(html, pos)) is not None:
        tag = (m.group(1) or "").lower()
        if tag == "script" and "xml" in (m.group(2) or "").lower():
            out.append(html[pos : m.end()])
            pos = m.end()
            continue
        out.append(html[pos : m.start()])
        closer = "-->" if m.group(0) == "<!--" else f"</{tag}"
        end = lower.find(closer, m.end())
        if end < 0:
            return " ".join(out)
        pos = end + len(closer)
        if closer != "-->":  # skip the rest of the closing tag, "</script >"
            gt = html.find(">", pos)
            pos = gt + 1 if gt >= 0 else len(html)
    out.append(html[pos:])
    return " ".join(out)


def visible_text(html: str) -> str:
    """Title and visible text of an HTML page (scripts, styles, comments and head removed)."""
    title = _TITLE.search(html or "")
    text = htmllib.unescape(_TAG.sub(" ", _strip_invisible(html or "")))
    return _WS.sub(" ", f"{title.group(1) if title else ''} {text}").strip()


def content_fingerprint(body: bytes, content_type: str | None = None, text: str | None = None) -> str:
    """Hex SHA-256 identifying a document's content (visible text for HTML, bytes otherwise).

    ``text`` is the body already decoded by the caller, to avoid decoding it twice."""
    ctype = (content_type or "").lower()
    looks_html = any(t in ctype for t in _HTML_TYPES) or (
        not ctype and body[:512].lstrip().lower().startswith((b"<!doctype html", b"<html"))
    )
    if not looks_html or not body:
        return hashlib.sha256(body).hexdigest()
    if text is None:
        text, _ = decode_body(body, content_type)
    return hashlib.sha256(("html-text:" + visible_text(text)).encode("utf-8")).hexdigest()
