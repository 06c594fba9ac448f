"""Extraction throughput: PDF text pages/s through the pool vs the bare pypdfium2 call, and OCR
seconds per page.

    python bench/extract.py [--quick] [--files N] [--pages P] [--ocr-pages K]

Generates N Chinese PDFs (reportlab, STSong-Light, ~P pages each with tables) in memory, then in
the same run measures (1) bare ``pypdfium2`` ``get_text_range`` over every page in this process,
(2) ``extract_many(workers=1)`` and (3) ``extract_many(workers=2)`` over the same files (pool
start-up included), and prints pages/s and the ratio pipeline/bare (goal ≥ 0.8 for workers=1).
Then OCR: K scanned pages (drawn with PIL + WenQuanYi Micro Hei) through ``extract_bytes``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.extract import extract_bytes  # noqa: E402
from crawler.extract.ocr import ocr_unavailable  # noqa: E402
from crawler.extract.pool import extract_many  # noqa: E402


def make_pdfs(files: int, pages: int) -> list[bytes]:
    """``files`` report PDFs of about ``pages`` pages: the simulator's report repeated."""
    from portalsim.content import report_document
    from portalsim.documents import pdf_bytes

    out = []
    i = 0
    while len(out) < files:
        i += 1
        try:
            doc = report_document(11, i, 2023, 0)
        except AssertionError:  # that agency published no 2023 report
            continue
        blocks = list(doc["blocks"])
        doc = {**doc, "blocks": blocks * max(1, pages // 2)}  # one report ≈ 2 pages
        out.append(pdf_bytes(doc))
    return out


def bare(pdfs: list[bytes]) -> tuple[int, float]:
    """(pages, seconds) of plain pypdfium2 text extraction in this process."""
    import pypdfium2 as pdfium

    started = time.perf_counter()
    n = 0
    for data in pdfs:
        pdf = pdfium.PdfDocument(data)
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            tp.get_text_range()
            tp.close()
            page.close()
            n += 1
        pdf.close()
    return n, time.perf_counter() - started


def pipeline(pdfs: list[bytes], workers: int) -> tuple[int, float]:
    """(pages, seconds) through ``extract_many`` (pool start included)."""
    started = time.perf_counter()
    n = 0
    tasks = ((str(i), data, {"content_type": "application/pdf"}) for i, data in enumerate(pdfs))
    for _key, result in extract_many(tasks, workers=workers, ocr=False):
        assert result.status == "ok", result.error
        n += result.pages or 0
    return n, time.perf_counter() - started


def ocr_seconds(pages: int) -> list[float]:
    """Seconds per scanned page (one page per PDF, in this process)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from tests.golden_text.make import scan_pdf

    data = scan_pdf()
    times = []
    for _ in range(pages):
        started = time.perf_counter()
        result = extract_bytes(data)
        times.append(time.perf_counter() - started)
        assert result.status == "ok" and result.ocr, result.error
    return times


def main() -> None:
    """Run the benchmark and print a table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="6 files × 10 pages, 2 OCR pages, 1 repeat")
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--ocr-pages", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    args = ap.parse_args()
    if args.quick:
        args.files, args.ocr_pages, args.repeat = 6, 2, 1
    pdfs = make_pdfs(args.files, args.pages)
    print(f"{len(pdfs)} PDFs, {sum(len(p) for p in pdfs) / 1e6:.1f} MB; median of {args.repeat} run(s)")
    rows = []
    for name, fn in (
        ("bare pypdfium2 (1 process)", bare),
        ("extract_many workers=1", lambda p: pipeline(p, 1)),
        ("extract_many workers=2", lambda p: pipeline(p, 2)),
    ):
        runs = [fn(pdfs) for _ in range(args.repeat)]
        pages = runs[0][0]
        secs = statistics.median(r[1] for r in runs)
        rows.append((name, pages, secs, pages / secs))
    base = rows[0][3]
    print(f"{'path':32} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'vs bare':>8}")
    for name, pages, secs, rate in rows:
        print(f"{name:32} {pages:6d} {secs:8.2f} {rate:8.0f} {rate / base:8.2f}")
    if ocr_unavailable():
        print(f"OCR: skipped ({ocr_unavailable()})")
        return
    times = ocr_seconds(args.ocr_pages)
    print(
        f"OCR (tesseract chi_sim+eng, 200 dpi, 1 thread): {len(times)} pages, "
        f"median {statistics.median(times):.2f} s/page (min {min(times):.2f}, max {max(times):.2f})"
    )


if __name__ == "__main__":
    main()
