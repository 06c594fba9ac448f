"""Rewrite the expected JSON of every golden page: ``python -m tests.golden.regen``.

Each case is ``tests/golden/<family>/<name>.url`` (the page's URL, one line) next to the page
(``<name>.html`` or ``<name>.xml``, raw bytes as served) and ``<name>.json`` (the expected
``parse_page`` output). Read every JSON you regenerate before keeping it: fix the parser, not
the JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from crawler.recognize.page import parse_page

GOLDEN = Path(__file__).resolve().parent
PAGE_SUFFIXES = (".html", ".xml")


def cases() -> list[tuple[str, Path, str]]:
    """``(case id, page file, url)`` for every golden page, sorted."""
    out = []
    for url_file in sorted(GOLDEN.glob("*/*.url")):
        page = next(
            (url_file.with_suffix(s) for s in PAGE_SUFFIXES if url_file.with_suffix(s).exists()), None
        )
        if page is None:
            raise FileNotFoundError(f"no page next to {url_file}")
        case_id = f"{url_file.parent.name}/{url_file.stem}"
        out.append((case_id, page, url_file.read_text(encoding="utf-8").strip()))
    return out


def render(page: Path, url: str) -> str:
    """The expected-JSON text of one page (stable key order, UTF-8, trailing newline)."""
    return json.dumps(parse_page(page.read_bytes(), url=url), ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    """Write ``<name>.json`` for every case and list what changed."""
    for case_id, page, url in cases():
        target = page.with_suffix(".json")
        text = render(page, url)
        old = target.read_text(encoding="utf-8") if target.exists() else None
        if old != text:
            target.write_text(text, encoding="utf-8")
            print(f"{'updated' if old is not None else 'created'} {case_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
