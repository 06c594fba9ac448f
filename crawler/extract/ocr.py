"""OCR with the tesseract CLI (Debian ``tesseract-ocr`` + ``tesseract-ocr-chi-sim``).

One subprocess per page, ``OMP_THREAD_LIMIT=1`` (threads do not help, measurements.md §B3),
a per-page timeout. When tesseract or its ``chi_sim`` data is missing the callers report
``needs_ocr`` with :func:`ocr_unavailable`'s reason instead of an empty text.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from functools import cache
from typing import TYPE_CHECKING

from crawler.extract.result import ExtractResult, failed, finish

if TYPE_CHECKING:
    from PIL.Image import Image

LANGS = "chi_sim+eng"
PAGE_TIMEOUT = 90.0
MAX_PIXELS = 40_000_000  # larger images are scaled down before OCR
MAX_FRAMES = 200
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")


class OcrError(RuntimeError):
    """OCR could not run (missing tool, timeout, tesseract failure)."""


@cache
def ocr_unavailable() -> str | None:
    """None when tesseract with chi_sim can run, else the reason it cannot."""
    exe = shutil.which("tesseract")
    if not exe:
        return "tesseract not installed (apt install tesseract-ocr tesseract-ocr-chi-sim)"
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"tesseract does not run: {exc}"
    langs = set((out.stdout + out.stderr).split())
    missing = [lang for lang in LANGS.split("+") if lang not in langs]
    if missing:
        return f"tesseract language data missing: {', '.join(missing)} (apt install tesseract-ocr-chi-sim)"
    return None


@cache
def tesseract_version() -> str:
    """``"tesseract 5.3.0"`` (or ``"tesseract ?"``)."""
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30)
        first = (out.stdout or out.stderr).splitlines()[0]
        return f"{first.strip()} {LANGS}"
    except (OSError, subprocess.SubprocessError, IndexError):
        return f"tesseract ? {LANGS}"


def ocr_image(image: Image, timeout: float = PAGE_TIMEOUT) -> str:
    """Text of one page image (raises :class:`OcrError`)."""
    reason = ocr_unavailable()
    if reason:
        raise OcrError(reason)
    if image.width * image.height > MAX_PIXELS:
        scale = (MAX_PIXELS / (image.width * image.height)) ** 0.5
        image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))))
    if image.mode not in ("L", "RGB", "1"):
        image = image.convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        out = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", LANGS, "--psm", "6"],
            input=buf.getvalue(),
            capture_output=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrError(f"tesseract timed out after {timeout:.0f} s") from exc
    except OSError as exc:
        raise OcrError(f"tesseract failed to start: {exc}") from exc
    if out.returncode != 0:
        raise OcrError(f"tesseract exit {out.returncode}: {out.stderr.decode(errors='replace')[-300:]}")
    return _CJK_GAP.sub("", out.stdout.decode("utf-8", errors="replace"))


def extract_image(data: bytes, *, ocr: bool = True) -> ExtractResult:
    """OCR an image file (PNG, JPEG, TIFF with several frames, GIF, BMP, WEBP)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    base = {"extractor": "tesseract", "version": tesseract_version(), "file_type": "image"}
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Image.DecompressionBombError as exc:
        return failed("error", f"image too large: {exc}", **base)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        return failed("error", f"not a readable image: {exc}", **base)
    frames = sum(1 for _ in ImageSequence.Iterator(img))
    if not ocr or ocr_unavailable():
        reason = "OCR disabled" if not ocr else ocr_unavailable()
        return failed("needs_ocr", f"image needs OCR: {reason}", pages=frames, **base)
    texts = []
    try:
        for i, frame in enumerate(ImageSequence.Iterator(img)):
            if i >= MAX_FRAMES:
                break
            texts.append(ocr_image(frame.copy()))
    except OcrError as exc:
        return failed("error", f"OCR failed: {exc}", text="\f".join(texts), pages=frames, ocr=True, **base)
    return finish("\f".join(t.strip() for t in texts), ocr=True, pages=frames, **base)
