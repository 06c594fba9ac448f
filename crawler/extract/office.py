"""Word-processing files: DOCX (lxml over word/document.xml, body order), RTF (striprtf with
the document's code page), DOC/WPS (LibreOffice headless → DOCX → the DOCX reader)."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from functools import cache

from lxml import etree

from crawler.extract.result import ExtractResult, failed, finish, lib_version
from crawler.extract.tables import MAX_SPAN, render_rows

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200  # members above 1 MB that inflate more than this are refused
SOFFICE_TIMEOUT = 120.0
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


class UnsafeArchive(ValueError):
    """A zip or XML part that looks like a decompression or entity bomb."""


def open_zip(data: bytes) -> zipfile.ZipFile:
    """Open an OOXML package, refusing zip bombs (total size or compression ratio)."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise UnsafeArchive(
                f"zip bomb guard: {info.filename} inflates {info.compress_size} → "
                f"{info.file_size} bytes (ratio > {MAX_RATIO})"
            )
    if total > MAX_UNCOMPRESSED:
        raise UnsafeArchive(
            f"zip bomb guard: {total // 2**20} MB uncompressed > {MAX_UNCOMPRESSED // 2**20} MB"
        )
    return zf


def safe_xml(raw: bytes, name: str, fmt: str = "OOXML") -> etree._Element:
    """Parse a part of a zipped XML format (OOXML, OFD) without DTDs or entities (these formats
    never have them: refusing them stops 'billion laughs' bombs), no network, no huge trees."""
    if _DTD.search(raw[:65536]):
        raise UnsafeArchive(
            f"XML entity bomb guard: {name} declares a DOCTYPE/ENTITY, which {fmt} never does"
        )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    return etree.fromstring(raw, parser)


def _para_text(p: etree._Element) -> str:
    out = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"):
        tag = el.tag
        if tag == f"{_W}t":
            out.append(el.text or "")
        elif tag == f"{_W}tab":
            out.append("\t")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
        else:
            out.append("\n")
    return "".join(out)


def _val(el: etree._Element | None, default: str | None = None) -> str | None:
    return default if el is None else el.get(f"{_W}val", default)


def _table(tbl: etree._Element) -> tuple[list[list[str]], list[list[bool]]]:
    """Grid of a w:tbl with gridSpan and vMerge expanded (a merged cell repeats its text)."""
    grid: list[list[str]] = []
    origin: list[list[bool]] = []
    for tr in tbl.iterchildren(f"{_W}tr"):
        row: list[str] = []
        first: list[bool] = []
        col = min(int(_val(tr.find(f"{_W}trPr/{_W}gridBefore"), "0") or 0), MAX_SPAN)
        row.extend([""] * col)
        first.extend([False] * col)
        for tc in tr.iter(f"{_W}tc"):
            if next(tc.iterancestors(f"{_W}tr"), None) is not tr:
                continue  # a nested table's cell
            span = max(1, min(int(_val(tc.find(f"{_W}tcPr/{_W}gridSpan"), "1") or 1), MAX_SPAN))
            vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
            above = grid[-1] if grid else []
            if vmerge is not None and _val(vmerge, "continue") != "restart" and len(above) > col:
                row.extend(above[col + k] if col + k < len(above) else "" for k in range(span))
                first.extend([False] * span)
            else:
                text = " ".join(t for t in (_para_text(p).strip() for p in tc.iter(f"{_W}p")) if t)
                row.extend([text] * span)
                first.extend([True] + [False] * (span - 1))
            col += span
        grid.append(row)
        origin.append(first)
    width = max((len(r) for r in grid), default=0)
    for row, first in zip(grid, origin, strict=True):
        first.extend([False] * (width - len(row)))
        row.extend([""] * (width - len(row)))
    return grid, origin


def _body_blocks(body: etree._Element, lines: list[str], tables: list[list[list[str]]]) -> None:
    for el in body:
        tag = el.tag
        if tag == f"{_W}p":
            lines.append(_para_text(el))
        elif tag == f"{_W}tbl":
            grid, origin = _table(el)
            tables.append(grid)
            lines.extend(render_rows(grid, origin))
        elif tag in (f"{_W}sdt", f"{_W}customXml", f"{_W}sdtContent", f"{_W}smartTag"):
            _body_blocks(el, lines, tables)


def docx_text(data: bytes) -> tuple[str, list[list[list[str]]]]:
    """(text in body order, tables) of a .docx; raises on damaged or unsafe files."""
    with open_zip(data) as zf:
        try:
            raw = zf.read("word/document.xml")
        except KeyError as exc:
            raise ValueError("not a Word document: no word/document.xml") from exc
    root = safe_xml(raw, "word/document.xml")
    body = root.find(f"{_W}body")
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    if body is not None:
        _body_blocks(body, lines, tables)
    return "\n".join(lines), tables


def extract_docx(data: bytes) -> ExtractResult:
    """Text and tables of a .docx (paragraphs and tables in body order)."""
    base = {"extractor": "docx", "version": lib_version("lxml"), "file_type": "docx"}
    try:
        text, tables = docx_text(data)
    except UnsafeArchive as exc:
        return failed("error", str(exc), **base)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, etree.XMLSyntaxError, ValueError, EOFError) as exc:
        return failed("error", f"damaged DOCX: {exc}", **base)
    return finish(text, tables=tables, **base)


_ANSICPG = re.compile(rb"\\ansicpg(\d+)")
_FCHARSET = re.compile(rb"\\fcharset\d+ ?")
_SURROGATES = re.compile(r"[\ud800-\udbff][\udc00-\udfff]")
_DBCS = {"932", "936", "949", "950"}


def extract_rtf(data: bytes) -> ExtractResult:
    r"""Text of an RTF file (also a ``.doc`` that is really RTF).

    Chinese Word writes ``\ansicpg936`` with ``\'b9\'fa`` byte escapes: when the document's code
    page is a double-byte one, font charsets are dropped so every escape decodes with it (GBK
    bytes would otherwise come out as cp1252 mojibake under a Latin font). ``\uNNNN?`` escapes
    and surrogate pairs are decoded too.
    """
    from striprtf.striprtf import rtf_to_text

    base = {"extractor": "rtf", "version": lib_version("striprtf"), "file_type": "rtf"}
    m = _ANSICPG.search(data[:4096])
    cpg = m.group(1).decode() if m else "1252"
    if cpg in _DBCS:
        data = _FCHARSET.sub(b"", data)
    encoding = "gb18030" if cpg == "936" else f"cp{cpg}"
    try:
        text = rtf_to_text(data.decode(encoding, errors="replace"), encoding=encoding, errors="replace")
    except (LookupError, ValueError, IndexError, RecursionError) as exc:
        return failed("error", f"damaged RTF: {exc}", **base)
    text = _SURROGATES.sub(lambda s: s.group().encode("utf-16", "surrogatepass").decode("utf-16"), text)
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    lines = [line.rstrip("|").rstrip() if line.endswith("|") else line for line in text.split("\n")]
    lines = [" | ".join(c.strip() for c in line.split("|")) if "|" in line else line for line in lines]
    return finish("\n".join(lines), **base)


@cache
def soffice_path() -> str | None:
    """The LibreOffice binary, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _unlimited() -> None:  # pragma: no cover - runs in the child
    """LibreOffice reserves much address space: lift the pool worker's soft RLIMIT_AS."""
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def extract_doc(data: bytes, file_type: str = "doc", timeout: float = SOFFICE_TIMEOUT) -> ExtractResult:
    """A legacy Word (.doc) or Kingsoft WPS (.wps) file: LibreOffice converts it to DOCX in a
    temp dir with a fresh profile, then the DOCX reader takes over (keeps tables). The import
    filter is forced to Word 97 (the sniffer saw a WordDocument stream): otherwise LibreOffice
    reads an unreadable file as plain text and returns its bytes as "text"."""
    base = {"extractor": "libreoffice", "version": "LibreOffice", "file_type": file_type}
    exe = soffice_path()
    if not exe:
        return failed(
            "needs_tool",
            "LibreOffice (soffice) is not installed; apt install libreoffice-writer-nogui",
            **base,
        )
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp:
        src = os.path.join(tmp, "input.doc")  # Kingsoft .wps is Word-97 inside; the Word filter reads it
        with open(src, "wb") as fh:
            fh.write(data)
        cmd = [
            exe,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nofirststartwizard",
            f"-env:UserInstallation=file://{tmp}/profile",
            "--infilter=MS Word 97",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            os.path.join(tmp, "out"),
            src,
        ]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_unlimited,
            env={**os.environ, "HOME": tmp},
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return failed("timeout", f"LibreOffice did not finish in {timeout:.0f} s", **base)
        result = os.path.join(tmp, "out", "input.docx")
        if not os.path.exists(result):
            msg = (err or out).decode(errors="replace").strip()[-300:]
            return failed(
                "error", f"LibreOffice could not convert the file (exit {proc.returncode}): {msg}", **base
            )
        with open(result, "rb") as fh:
            converted = fh.read()
    res = extract_docx(converted)
    return res.with_(
        extractor="libreoffice", version=f"{soffice_version()}; {res.version}", file_type=file_type
    )


@cache
def soffice_version() -> str:
    """``"LibreOffice 7.4.7.2"`` (from ``soffice --version``)."""
    exe = soffice_path()
    try:
        out = subprocess.run([exe or "soffice", "--version"], capture_output=True, text=True, timeout=60)
        parts = out.stdout.split()
        return " ".join(parts[:2]) if parts else "LibreOffice ?"
    except (OSError, subprocess.SubprocessError):
        return "LibreOffice ?"
