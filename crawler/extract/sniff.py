"""What kind of file a body is: magic bytes first, then the declared type, then the extension."""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import unquote, urlsplit

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a", b"BM")
# The local file header of an OFD's OFD.xml (name length 7, or 8 with a leading slash).
_OFD_LOCAL = re.compile(rb"PK\x03\x04.{22}(?:\x07\x00..|\x08\x00../)OFD\.xml", re.I | re.S)
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|div|p|table|script)[\s>/]", re.I)
_TYPES = (  # (content-type fragment, file type)
    ("html", "html"),
    ("xhtml", "html"),
    ("pdf", "pdf"),
    ("wordprocessingml", "docx"),
    ("spreadsheetml", "xlsx"),
    ("msword", "doc"),
    ("ms-excel", "xls"),
    ("kswps", "wps"),
    ("wps", "wps"),
    ("rtf", "rtf"),
    ("image/", "image"),
    ("text/plain", "txt"),
    ("ofd", "ofd"),
    ("zip", "zip"),
    ("rar", "archive"),
)
_EXTS = {
    "html": "html",
    "htm": "html",
    "shtml": "html",
    "xhtml": "html",
    "jsp": "html",
    "asp": "html",
    "aspx": "html",
    "php": "html",
    "pdf": "pdf",
    "docx": "docx",
    "doc": "doc",
    "wps": "wps",
    "rtf": "rtf",
    "xlsx": "xlsx",
    "xls": "xls",
    "et": "xls",
    "txt": "txt",
    "png": "image",
    "jpg": "image",
    "jpeg": "image",
    "tif": "image",
    "tiff": "image",
    "gif": "image",
    "bmp": "image",
    "ofd": "ofd",
    "zip": "zip",
    "rar": "archive",
    "7z": "archive",
}


def _ext(url: str | None) -> str | None:
    if not url:
        return None
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else None


def _zip_kind(data: bytes, hint: str | None) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):  # damaged: a local header, else the label
        if _OFD_LOCAL.search(data):
            return "ofd"
        return hint if hint in {"docx", "xlsx", "ofd"} else "zip"
    if any(n.lstrip("/").lower() == "ofd.xml" for n in names):  # first: OFD folders are free-named
        return "ofd"
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    if "mimetype" in names and "content.xml" in names:
        return "odf"
    return "zip"


def _ole_kind(data: bytes, hint: str | None) -> str:
    """Guess from the UTF-16 stream names in the OLE2 directory (no olefile needed)."""
    if "WordDocument".encode("utf-16-le") in data:
        return "wps" if hint == "wps" else "doc"
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return "xls"
    if "PowerPoint Document".encode("utf-16-le") in data:
        return "ppt"
    return hint if hint in {"doc", "wps", "xls"} else "ole"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls <= len(head) // 100


def sniff(data: bytes, content_type: str | None = None, url: str | None = None) -> str | None:
    """The file type of ``data``: ``html pdf docx xlsx pptx doc wps xls ppt rtf txt image ofd odf
    zip archive ole`` or None when nothing is known.

    Magic bytes decide first (so an HTML error page served as ``x.pdf`` is ``html``); the
    ``Content-Type`` and then the URL's extension only label bodies that carry no magic.
    """
    head = data[:4096]
    ctype = (content_type or "").split(";")[0].strip().lower()
    ext = _ext(url)
    hint = next((kind for frag, kind in _TYPES if frag in ctype), None) or _EXTS.get(ext or "")
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data, hint)
    if head.startswith(_OLE):
        return _ole_kind(data, hint)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(_IMAGES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head.startswith((b"Rar!", b"7z\xbc\xaf")):
        return "archive"
    if _is_text(head):
        if _HTML.search(head) or (not head.strip() and hint == "html"):
            return "html"
        if hint in {"html", "txt"}:
            return hint
        return "txt" if head.strip() else hint
    return hint
