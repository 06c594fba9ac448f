"""Statistics throughput: reports analysed per second (format, Tables A/B/C, narrative numbers,
every consistency check), from HTML pages and from PDF text, against the extraction of the
same documents measured in the same run.

    python bench/stats.py [--reports 300] [--seed 7]

The documents are the simulator's reports (both template formats, agencies 1..N, years
2019–2024), rendered as the HTML page a portal serves and as the PDF attachment.  Extraction
(``crawler.extract.extract_bytes``: the HTML main text and tables, or the PDF text layer) is
the baseline; ``crawler.stats.analyse`` is what is measured.  Printed: reports/s for each, and
the ratio analyse time / extraction time (how much the statistics stage adds to extraction).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.extract import extract_bytes  # noqa: E402
from crawler.stats import analyse  # noqa: E402
from portalsim.content import report_document  # noqa: E402
from portalsim.documents import blocks_html  # noqa: E402
from portalsim.router import attachment_bytes  # noqa: E402
from portalsim.world import agency, report_plan, template_for  # noqa: E402


def documents(seed: int, n: int) -> list[tuple[int, str, bytes, bytes]]:
    """(year, template, html bytes, pdf bytes) of the first ``n`` standard-format reports."""
    out = []
    i = 0
    while len(out) < n:
        i += 1
        for year in range(max(2019, agency(seed, i).first_year), 2025):
            if report_plan(seed, i, year).published is None:
                continue
            doc = report_document(seed, i, year, 0)
            html = (
                f"<html><head><title>{doc['title']}</title></head><body><div class='TRS_Editor'>"
                f"{blocks_html(doc['blocks'])}</div></body></html>"
            ).encode()
            out.append((year, template_for(seed, i, year), html, attachment_bytes(seed, i, year, 0, "pdf")))
            if len(out) >= n:
                break
    return out


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    docs = documents(args.seed, args.reports)
    print(
        f"{len(docs)} simulator reports ({sum(d[1] == 'template2021' for d in docs)} template2021, "
        f"{sum(d[1] == 'template2019' for d in docs)} template2019), seed {args.seed}"
    )
    years = [d[0] for d in docs]
    for label, index, ctype in (("HTML", 2, "text/html; charset=utf-8"), ("PDF", 3, "application/pdf")):
        extracted = [extract_bytes(d[index], content_type=ctype) for d in docs]
        t_extract = best(
            lambda index=index, ctype=ctype: [extract_bytes(d[index], content_type=ctype) for d in docs]
        )
        t_analyse = best(
            lambda extracted=extracted: [
                analyse(r.text, r.tables or None, year=y) for r, y in zip(extracted, years, strict=True)
            ]
        )
        found = sum(
            1
            for r, y in zip(extracted, years, strict=True)
            if analyse(r.text, r.tables or None, year=y).stats["requests_received"] is not None
        )
        print(
            f"{label:>4}: analyse {len(docs) / t_analyse:8.0f} reports/s ({t_analyse:.2f} s) | extraction "
            f"{len(docs) / t_extract:8.0f} reports/s ({t_extract:.2f} s) | ratio analyse/extract "
            f"{t_analyse / t_extract:.2f} | Table B found in {found}/{len(docs)}"
        )


if __name__ == "__main__":
    main()
