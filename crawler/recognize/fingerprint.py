"""Content fingerprints: what counts as "the same content" for document versions.

Portals regenerate pages (``页面生成时间`` in ``meta others``, build stamps, rotating scripts)
without changing what they say, so an HTML page's version is the hash of its visible text (the
title plus the body text, whitespace-collapsed), not of its bytes.  Other files (PDF, DOCX…)
are hashed as bytes.  The raw bytes stay in WARC with their own SHA-256 either way.
"""

from __future__ import annotations

import hashlib
import re

import lxml.html
from lxml import etree

from crawler.recognize.encoding import decode_body

_WS = re.compile(r"\s+")
_HTML_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml")


def visible_text(html: str) -> str:
    """Title and body text of an HTML page with scripts, styles and comments removed."""
    try:
        doc = lxml.html.document_fromstring(html or "<html></html>")
    except (etree.ParserError, ValueError):
        return _WS.sub(" ", html).strip()
    etree.strip_elements(doc, "script", "style", etree.Comment, with_tail=False)
    title = doc.findtext(".//title") or ""
    body = doc.find("body")
    text = body.text_content() if body is not None else doc.text_content()
    return _WS.sub(" ", f"{title}\n{text}").strip()


def content_fingerprint(body: bytes, content_type: str | None = None) -> str:
    """Hex SHA-256 identifying a document's content (visible text for HTML, bytes otherwise)."""
    ctype = (content_type or "").lower()
    looks_html = any(t in ctype for t in _HTML_TYPES) or (not ctype and body[:512].lstrip().lower().startswith(
        (b"<!doctype html", b"<html")))
    if not looks_html or not body:
        return hashlib.sha256(body).hexdigest()
    text, _ = decode_body(body, content_type)
    return hashlib.sha256(("html-text:" + visible_text(text)).encode("utf-8")).hexdigest()
