"""Images of archived captures, for audit reports: what the page or file looked like when it was
captured, rendered from the archived copy offline.

* HTML: headless Chromium takes a screenshot of the archived bytes written to a temporary file,
  under a Content-Security-Policy that runs no script and loads nothing, with every network
  request also sent to a closed proxy port, so nothing the page names is fetched (the image
  shows the capture, never today's site).
* PDF: the first page, rendered by pdfium.
* Anything else (DOC, images, …) gets no image; the capture stays one click away by its id.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from crawler.vocab.errors import ConfigError
from storage import fetches
from storage.db import WARC_DIR
from storage.warc import decoded_payload, read_record

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SHOT_TIMEOUT = 60.0
WIDTH, HEIGHT = 1100, 1400
MAX_PAYLOAD = 20 << 20  # a capture larger than this is not rendered


@dataclass(slots=True)
class Snapshot:
    """A rendered capture: its fetch id, URL, capture time and the PNG (``note`` says how)."""

    fetch: int
    url: str
    fetched_at: str
    png: bytes
    note: str

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def find_chromium(explicit: str | None = None) -> str:
    """The Chromium (or Chrome) executable: ``explicit``, else the first on PATH."""
    for name in (explicit, *CHROMIUM_NAMES):
        if name and (path := shutil.which(name)):
            return path
    raise ConfigError("needs Chromium (Debian: apt-get install chromium)")


# Put at the top of an archived page before rendering it: no script runs, nothing is loaded
# but what is inline (Chromium's --blink-settings=scriptEnabled=false also stops --screenshot).
NO_SCRIPT = (
    b'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    b"style-src 'unsafe-inline'; img-src data:; font-src data:\">"
)
_DOCTYPE = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?<!doctype[^>]*>", re.I)


def inert(payload: bytes) -> bytes:
    """The archived HTML with :data:`NO_SCRIPT` first (after its doctype, so the page keeps its
    rendering mode)."""
    m = _DOCTYPE.match(payload)
    at = m.end() if m else 0
    return payload[:at] + NO_SCRIPT + payload[at:]


def offline_flags(profile: Path) -> list[str]:
    """Headless Chromium that reaches nothing: every request (loopback too) goes to a proxy on a
    closed port."""
    return [
        "--headless",
        "--no-sandbox",  # as root in a container Chromium refuses to start with its sandbox
        "--disable-gpu",
        "--hide-scrollbars",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--no-first-run",
        f"--user-data-dir={profile}",
    ]


def html_png(payload: bytes, chromium: str, *, timeout: float = SHOT_TIMEOUT) -> bytes | None:
    """A screenshot of archived HTML (None when Chromium produced none)."""
    with tempfile.TemporaryDirectory(prefix="nianbao-shot-") as tmp:
        page, shot = Path(tmp) / "capture.html", Path(tmp) / "capture.png"
        page.write_bytes(inert(payload))
        command = [
            chromium,
            *offline_flags(Path(tmp) / "profile"),
            f"--window-size={WIDTH},{HEIGHT}",
            f"--screenshot={shot}",
            page.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return None
        data = shot.read_bytes() if shot.exists() else b""
        return data if data.startswith(b"\x89PNG") else None


def pdf_png(payload: bytes, *, width: int = WIDTH) -> bytes | None:
    """The first page of an archived PDF as PNG (None when pdfium cannot open it)."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(payload)
        try:
            if len(pdf) == 0:
                return None
            page = pdf[0]
            scale = width / max(page.get_width(), 1)
            image = page.render(scale=scale).to_pil()
        finally:
            pdf.close()
    except pypdfium2.PdfiumError:
        return None
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def snapshot(db: Database, data_dir: Path, fetch_id: int, chromium: str | None) -> Snapshot | None:
    """The rendered capture of ``fetch_id`` (a 304 or revisit: the content it saw), or None when
    it holds no archived content or no renderable one."""
    row = fetches.fetch_row(db, fetch_id)
    held = fetches.full_capture(db, row) if row else None
    if row is None or held is None or not held.get("warc_file"):
        return None
    if (held.get("warc_length") or 0) > MAX_PAYLOAD:
        return None
    payload = decoded_payload(read_record(Path(data_dir) / WARC_DIR, fetches.ref_of(held)))
    ctype = (held.get("content_type") or "").lower()
    if payload.startswith(b"%PDF"):
        png, how = pdf_png(payload), "first page of the archived PDF"
    elif "html" in ctype or payload[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        if chromium is None:
            return None
        png, how = html_png(payload, chromium), "archived page rendered offline (scripts off, nothing loaded)"
    else:
        return None
    if png is None:
        return None
    return Snapshot(fetch_id, row["url"], row.get("fetched_at") or "", png, how)
