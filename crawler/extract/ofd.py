"""OFD (GB/T 33190-2016, the Chinese fixed-layout format): lxml over the package's XML.

An OFD is a ZIP: ``OFD.xml`` names each document (``DocBody/DocRoot``, e.g.
``Doc_0/Document.xml``), the document lists its pages in order (``Pages/Page/@BaseLoc``,
relative to the document's folder), each page's ``Content.xml`` holds ``TextObject``s
(``Boundary="x y w h"`` in mm, origin top left, y down; optional ``CTM``; ``Size``) with
``TextCode`` children (``X``/``Y`` the baseline start inside the boundary, ``DeltaX`` the glyph
advances, the text itself). Text codes are placed on the page, grouped into lines by baseline,
lines read top to bottom and each left to right; a visible gap between two pieces of a line
(a table's cells) becomes one space. Pages are joined like PDF pages (``\\f``); several
documents follow each other. Page templates, annotations and signatures are not read; pages
that only carry images (scans) are ``needs_ocr`` (OFD images are not OCR'd).
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from lxml import etree

from crawler.extract.office import UnsafeArchive, open_zip, safe_xml
from crawler.extract.pdf import MIN_PAGE_CHARS, PAGE_SEP
from crawler.extract.result import ExtractResult, failed, finish, lib_version

NS = "http://www.ofdspec.org/2016"
DEFAULT_SIZE = 3.5  # mm (about 10 pt) when a TextObject has no usable Size
LINE_TOLERANCE = 0.5  # pieces whose baselines differ by less than this many font sizes share a line
GAP = 0.5  # a gap wider than this many font sizes between two pieces of a line becomes a space
_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


class DamagedOfd(ValueError):
    """The package is not a readable OFD (missing part, broken reference, bad XML)."""


def _tags(name: str) -> tuple[str, str]:
    """The element in the OFD namespace, and without one (some writers omit it)."""
    return f"{{{NS}}}{name}", name


_DOC_BODY, _DOC_ROOT = _tags("DocBody"), _tags("DocRoot")
_PAGES, _PAGE = _tags("Pages"), _tags("Page")
_TEXT_OBJECT, _TEXT_CODE, _IMAGE_OBJECT = _tags("TextObject"), _tags("TextCode"), _tags("ImageObject")


def _xml(raw: bytes, name: str) -> etree._Element:
    """Parse a part safely (:func:`~crawler.extract.office.safe_xml`); bad XML is a damaged OFD."""
    try:
        return safe_xml(raw, name, "OFD")
    except etree.XMLSyntaxError as exc:
        raise DamagedOfd(f"{name} is not well-formed XML: {exc}") from exc


def _norm(path: str) -> str:
    """A package path as a lower-case key: ``/Doc_0\\Pages/./Page_0/Content.xml`` → ``doc_0/pages/page_0/content.xml``."""
    path = posixpath.normpath("/" + path.strip().replace("\\", "/"))
    return path.lstrip("/").lower()


class _Package:
    """The ZIP's members by normalised, case-insensitive path."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.names = {_norm(n): n for n in zf.namelist() if not n.endswith("/")}

    def find(self, loc: str, folder: str = "") -> str | None:
        """The member that ``loc`` points to: absolute (``/…``) from the package root, else
        relative to ``folder``, falling back to the root (writers disagree)."""
        loc = loc.strip()
        if not loc:
            return None
        candidates = [loc] if loc.startswith(("/", "\\")) else [posixpath.join(folder, loc), loc]
        for candidate in candidates:
            if (name := self.names.get(_norm(candidate))) is not None:
                return name
        return None

    def xml(self, name: str) -> etree._Element:
        return _xml(self.zf.read(name), name)


def _floats(value: str | None) -> list[float]:
    return [float(v) for v in _NUM.findall(value or "")]


def _delta_x(value: str | None, limit: int) -> list[float]:
    """``DeltaX="g 3 5.2 1.5"`` → ``[5.2, 5.2, 5.2, 1.5]`` (``g N D`` repeats D N times), at
    most ``limit`` values (a string of n glyphs has n - 1 advances; no ``g 1e9 …`` blow-up)."""
    tokens = (value or "").split()
    out: list[float] = []
    i = 0
    while i < len(tokens) and len(out) < limit:
        try:
            if tokens[i] == "g" and i + 2 < len(tokens):
                count = max(0, min(int(float(tokens[i + 1])), limit - len(out)))
                out.extend([float(tokens[i + 2])] * count)
                i += 3
                continue
            out.append(float(tokens[i]))
        except (ValueError, OverflowError):
            pass
        i += 1
    return out


def _advance(ch: str, size: float) -> float:
    """Estimated advance of one glyph: full width for CJK, half for the rest (SimSun-like)."""
    return size if unicodedata.east_asian_width(ch) in ("W", "F") else size / 2


@dataclass(slots=True)
class _Piece:
    x: float
    y: float  # baseline
    end: float  # estimated right edge
    size: float
    text: str


def _text_pieces(obj: etree._Element) -> list[_Piece]:
    """The TextCodes of one TextObject placed on the page (a code without X/Y continues the
    previous one)."""
    box = _floats(obj.get("Boundary"))
    bx, by = (box[0], box[1]) if len(box) >= 2 else (0.0, 0.0)
    ctm = _floats(obj.get("CTM"))
    a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    scale = (a * a + b * b) ** 0.5 or 1.0
    sizes = _floats(obj.get("Size"))
    size = (sizes[0] if sizes and sizes[0] > 0 else DEFAULT_SIZE) * scale
    pieces: list[_Piece] = []
    for code in obj.iterchildren(*_TEXT_CODE):
        text = code.text or ""
        if not text:
            continue
        xs, ys = _floats(code.get("X")), _floats(code.get("Y"))
        if pieces and not (xs and ys):  # continues the previous code
            prev = pieces[-1]
            prev.text += text
            prev.end += sum(_advance(ch, size) for ch in text)
            continue
        x0, y0 = (xs[0] if xs else 0.0), (ys[0] if ys else size)
        x = bx + a * x0 + c * y0 + e
        y = by + b * x0 + d * y0 + f
        deltas = [dx * scale for dx in _delta_x(code.get("DeltaX"), len(text) - 1)]
        width = sum(deltas) + sum(_advance(ch, size) for ch in text[len(deltas) :])
        pieces.append(_Piece(x, y, x + width, size, text))
    return pieces


def _lines(pieces: list[_Piece]) -> list[str]:
    """Pieces grouped into lines by baseline, top to bottom, each left to right."""
    lines: list[list[_Piece]] = []
    for piece in sorted(pieces, key=lambda p: (p.y, p.x)):
        if lines:
            anchor = lines[-1][0]
            if abs(piece.y - anchor.y) <= LINE_TOLERANCE * max(piece.size, anchor.size):
                lines[-1].append(piece)
                continue
        lines.append([piece])
    out = []
    for line in lines:
        line.sort(key=lambda p: p.x)
        parts = [line[0].text]
        for prev, piece in zip(line, line[1:], strict=False):
            gap = piece.x - prev.end > GAP * max(piece.size, prev.size)
            if gap and not parts[-1].endswith(" ") and not piece.text.startswith(" "):
                parts.append(" ")
            parts.append(piece.text)
        out.append("".join(parts).strip())
    return out


def _page(root: etree._Element) -> tuple[str, bool]:
    """(text of one page's Content.xml, whether it draws images)."""
    pieces = [piece for obj in root.iter(*_TEXT_OBJECT) for piece in _text_pieces(obj)]
    has_image = next(root.iter(*_IMAGE_OBJECT), None) is not None
    return "\n".join(line for line in _lines(pieces) if line), has_image


def ofd_pages(data: bytes) -> tuple[list[str], list[int]]:
    """(text of every page of every document in order, indexes of image-only pages); raises
    on damaged or unsafe files."""
    texts: list[str] = []
    scanned: list[int] = []
    with open_zip(data) as zf:
        package = _Package(zf)
        entry = package.find("OFD.xml")
        if entry is None:
            raise DamagedOfd("no OFD.xml in the ZIP (not an OFD package)")
        roots = [
            (el.text or "").strip()
            for body in package.xml(entry).iterchildren(*_DOC_BODY)
            for el in body.iterchildren(*_DOC_ROOT)
        ]
        if not any(roots):
            raise DamagedOfd("OFD.xml names no document (no DocBody/DocRoot)")
        for doc_root in filter(None, roots):
            doc_name = package.find(doc_root)
            if doc_name is None:
                raise DamagedOfd(f"document {doc_root!r} named in OFD.xml is missing")
            folder = posixpath.dirname(doc_name.replace("\\", "/"))
            pages = [
                page.get("BaseLoc", "")
                for group in package.xml(doc_name).iterchildren(*_PAGES)
                for page in group.iterchildren(*_PAGE)
            ]
            for number, loc in enumerate(pages, start=1):
                name = package.find(loc, folder)
                if name is None:
                    raise DamagedOfd(f"page {number} of {doc_name} ({loc or 'no BaseLoc'}) is missing")
                text, has_image = _page(package.xml(name))
                if has_image and sum(1 for ch in text if not ch.isspace()) < MIN_PAGE_CHARS:
                    scanned.append(len(texts))
                texts.append(text)
    return texts, scanned


def extract_ofd(data: bytes) -> ExtractResult:
    """Text of an OFD, page by page in document order (pages joined by ``\\f``).

    Statuses: ``error`` for damaged or unsafe packages, ``needs_ocr`` when pages carry only
    images (the text of the other pages is kept), else ``ok``/``empty``.
    """
    base: dict = {"extractor": "ofd", "version": lib_version("lxml"), "file_type": "ofd"}
    try:
        texts, scanned = ofd_pages(data)
    except UnsafeArchive as exc:
        return failed("error", str(exc), **base)
    except DamagedOfd as exc:
        return failed("error", f"damaged OFD: {exc}", **base)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, KeyError) as exc:
        return failed("error", f"damaged OFD: {exc}", **base)
    except (NotImplementedError, RuntimeError) as exc:  # unknown compression, encrypted member
        return failed("error", f"unreadable OFD: {exc}", **base)
    text = PAGE_SEP.join(texts)
    fields = {**base, "pages": len(texts)}
    if scanned:
        return failed(
            "needs_ocr",
            f"{len(scanned)} of {len(texts)} pages have no text, only images (a scan); "
            "OCR of OFD page images is not implemented",
            text=text.strip(),
            **fields,
        )
    return finish(text, **fields)
