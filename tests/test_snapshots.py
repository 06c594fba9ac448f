"""Images of archived captures (issue 16's audit reports): rendered offline — an archived page
that names a live server's resources, in markup and in script, makes no request to it — and a
PDF's first page through pdfium."""

from __future__ import annotations

import http.server
import io
import threading
from pathlib import Path

import pytest

from crawler.outputs.snapshots import find_chromium, html_png, pdf_png
from tests.tools import requires_chromium

GOLDEN = Path(__file__).parent / "golden_text"


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def live_server():
    _Counting.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@requires_chromium
def test_an_archived_page_is_rendered_without_fetching_anything(live_server):
    from PIL import Image

    page = f"""<!doctype html><html><head><meta charset="utf-8">
    <link rel="stylesheet" href="{live_server}/style.css"></head>
    <body style="background:#fff"><h1 style="color:#c00">2023年政府信息公开工作年度报告</h1>
    <img src="{live_server}/logo.png"><iframe src="{live_server}/frame"></iframe>
    <script>fetch("{live_server}/beacon"); document.body.style.background = "#000";</script>
    </body></html>""".encode()
    png = html_png(page, find_chromium())
    assert png is not None and png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.getpixel((image.width - 5, image.height - 5)) == (255, 255, 255)  # the script never ran
    red = image.point(lambda v: v).split()
    assert any(
        r > 150 and g < 80 for r, g in zip(red[0].tobytes(), red[1].tobytes(), strict=True)
    )  # the heading
    assert _Counting.hits == []  # nothing reached the live server


def test_the_first_page_of_an_archived_pdf_is_an_image():
    from PIL import Image

    png = pdf_png((GOLDEN / "report.pdf").read_bytes())
    assert png is not None and png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).width == 1100
    assert pdf_png(b"%PDF-1.4 truncated") is None  # a broken PDF gets no image, not an error
