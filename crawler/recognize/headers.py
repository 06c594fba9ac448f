"""Recognise attachments from response headers (portals.md §3).

Annual reports often arrive as PDF/DOC/WPS/OFD downloads whose link text has no extension, so
the response decides: ``Content-Type``, then the ``Content-Disposition`` filename (RFC 6266 /
RFC 5987 ``filename*=``, plain ``filename=``, raw GBK or UTF-8 bytes, percent-encoding, RFC 2047
encoded words), then the URL's extension.
"""

from __future__ import annotations

import re
from email.header import decode_header
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

from crawler.recognize.encoding import canonical_encoding

OTHER = "other-attachment"
FILE_TYPES = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "ofd", "zip", "rar", OTHER)

EXTENSIONS: dict[str, str] = {
    "pdf": "pdf",
    "doc": "doc",
    "docx": "docx",
    "wps": "wps",
    "xls": "xls",
    "xlsx": "xlsx",
    "ofd": "ofd",
    "zip": "zip",
    "rar": "rar",
    "et": OTHER,
    "dot": OTHER,
    "dotx": OTHER,
    "rtf": OTHER,
    "ppt": OTHER,
    "pptx": OTHER,
    "dps": OTHER,
    "7z": OTHER,
    "gz": OTHER,
    "tif": OTHER,
    "tiff": OTHER,
    "jpg": OTHER,
    "jpeg": OTHER,
    "png": OTHER,
    "txt": OTHER,
    "csv": OTHER,
}

CONTENT_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/kswps": "wps",
    "application/wps-office.wps": "wps",
    "application/vnd.ms-works": "wps",
    "application/wps-office.doc": "doc",
    "application/wps-office.docx": "docx",
    "application/vnd.ms-excel": "xls",
    "application/wps-office.xls": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/wps-office.xlsx": "xlsx",
    "application/ofd": "ofd",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/vnd.rar": "rar",
    "application/x-rar-compressed": "rar",
    "application/x-rar": "rar",
}

# Types that say "some file" without saying which: decide by filename or URL extension.
GENERIC_DOWNLOAD_TYPES = frozenset(
    {
        "application/octet-stream",
        "binary/octet-stream",
        "application/force-download",
        "application/download",
        "application/x-download",
        "application/unknown",
        "application/x-msdownload",
    }
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_NON_DOCUMENT_SUFFIXES = ("/json", "/xml", "+xml", "javascript")

# A mislabelled sibling (DOCX served as application/msword) is resolved by the extension.
_FAMILIES = ({"doc", "docx", "wps"}, {"xls", "xlsx"}, {"zip", "ofd"})

_PARAM = re.compile(r"""(?:^|;)\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)""")
_ENCODED_WORD = re.compile(r"=\?[^?]+\?[BbQq]\?[^?]*\?=")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def _decode_bytes(raw: bytes, charset: str | None = None) -> str:
    """Decode header bytes: the declared charset, else UTF-8, else GB18030 (GBK), else Latin-1."""
    candidates = [canonical_encoding(c) or c for c in (charset,) if c] + ["utf-8", "gb18030"]
    for candidate in candidates:
        try:
            return raw.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("latin-1")


def _to_text(value: bytes | str) -> str:
    if isinstance(value, bytes):
        return _decode_bytes(value)
    # Some HTTP stacks hand over raw header bytes as Latin-1 text; undo that when it was UTF-8/GBK.
    if any(ord(c) > 127 for c in value) and all(ord(c) < 256 for c in value):
        return _decode_bytes(value.encode("latin-1"))
    return value


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value.strip("'\"")


def _percent_decode(value: str, charset: str | None = None) -> str:
    if not _PERCENT.search(value):
        return value
    return _decode_bytes(unquote_to_bytes(value), charset)


def _decode_ext_value(value: str) -> str:
    """RFC 5987 ``charset'lang'pct-encoded``; tolerates a missing charset/lang part."""
    parts = _unquote(value).split("'", 2)
    if len(parts) == 3:
        return _percent_decode(parts[2], parts[0] or None)
    return _percent_decode(parts[-1])


def _decode_encoded_words(value: str) -> str:
    if not _ENCODED_WORD.search(value):
        return value
    try:
        return "".join(
            part.decode(canonical_encoding(cs) or "utf-8", "replace") if isinstance(part, bytes) else part
            for part, cs in decode_header(value)
        )
    except (LookupError, ValueError):
        return value


def _basename(name: str) -> str | None:
    """Drop control characters and any directory part (``../../x.pdf`` → ``x.pdf``)."""
    name = "".join(c for c in name if c >= " " and c != "\x7f")
    name = re.split(r"[/\\]", name)[-1].strip()
    return name if name and name not in {".", ".."} else None


def content_disposition_filename(value: bytes | str | None) -> str | None:
    """The filename a ``Content-Disposition`` header names, without any directory part; None if none.

    ``filename*=`` (RFC 5987, any charset; GBK aliases read as GB18030) wins over ``filename=``.
    A plain filename may be raw UTF-8 or GBK bytes, percent-encoded, or an RFC 2047 encoded word.
    """
    if not value:
        return None
    text = _to_text(value)
    params: dict[str, str] = {}
    for match in _PARAM.finditer(text):
        params.setdefault(match[1].lower(), match[2])
    if "filename*" in params:
        name = _basename(_decode_ext_value(params["filename*"]))
        if name:
            return name
    if "filename" in params:
        return _basename(_percent_decode(_decode_encoded_words(_unquote(params["filename"]))))
    return None


def _extension_kind(name: str | None) -> str | None:
    if not name or "." not in name:
        return None
    return EXTENSIONS.get(name.rsplit(".", 1)[1].strip().lower())


def _url_kind(url: str) -> str | None:
    """Kind from the URL path's extension, else from a query value such as ``filename=x.pdf``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    last = unquote_to_bytes(parts.path.rsplit("/", 1)[-1]).decode("utf-8", "replace")
    kind = _extension_kind(last)
    if kind:
        return kind
    return next((k for _, v in parse_qsl(parts.query) if (k := _extension_kind(v))), None)


def _same_family(a: str, b: str) -> bool:
    return any(a in family and b in family for family in _FAMILIES)


def is_document_response(
    content_type: str | None, content_disposition: bytes | str | None, url: str
) -> str | None:
    """The document kind of a response (``pdf``, ``doc``, …, ``other-attachment``); None for HTML pages.

    Decided by ``Content-Type``; a generic download type (``application/octet-stream`` …) or a
    missing one defers to the disposition filename, then the URL.  A disposition of
    ``attachment`` always means a document, even when served as ``text/html``.
    """
    media = (content_type or "").split(";", 1)[0].strip().lower()
    disposition = _to_text(content_disposition) if content_disposition else ""
    name_kind = _extension_kind(content_disposition_filename(content_disposition))
    by_name = name_kind or _url_kind(url or "")
    is_attachment = disposition.strip().lower().startswith("attachment")

    if media in CONTENT_TYPES:
        declared = CONTENT_TYPES[media]
        return by_name if by_name and _same_family(declared, by_name) else declared
    if media in HTML_TYPES or media.startswith("text/") or media.endswith(_NON_DOCUMENT_SUFFIXES):
        if is_attachment:
            return name_kind or OTHER
        return None
    if media in GENERIC_DOWNLOAD_TYPES:
        return by_name or OTHER
    if media:  # images, unknown application/* types: not an HTML page
        return by_name or OTHER
    if name_kind or is_attachment:
        return name_kind or OTHER
    return _url_kind(url or "")
