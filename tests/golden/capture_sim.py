"""Capture simulator pages as golden cases under ``tests/golden/sim/`` (run once, then review).

``python -m tests.golden.capture_sim`` saves, for each CMS family, the column page, its second
listing page (or record window), and one report detail page, byte for byte as served, with
their URLs; then run ``python -m tests.golden.regen`` and read every new JSON.
"""

from __future__ import annotations

import re
import sys
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

from crawler.recognize.encoding import decode_body
from crawler.recognize.listing import parse_listing
from portalsim import render_sources_toml, start_server

OUT = Path(__file__).resolve().parent / "sim"
FAMILIES = {
    "trs": r"/zfxxgknb/$",
    "trs6": r"/c\d{6}/xlist\.shtml$",
    "hanweb": r"/col/col\d+/index\.html$",
    "plain": r"/gknb/list\.html$",
}


def fetch(url: str, form: dict | None = None) -> bytes:
    data = urllib.parse.urlencode(form).encode() if form else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as resp:
        return resp.read()


def save(name: str, url: str, body: bytes, suffix: str = ".html") -> None:
    (OUT / f"{name}{suffix}").write_bytes(body)
    (OUT / f"{name}.url").write_text(url + "\n", encoding="utf-8")
    print("saved", name, url)


def main() -> int:
    OUT.mkdir(exist_ok=True)
    with start_server(11, 50, date(2025, 4, 10), port=8631, troubles=False) as server:
        urls = re.findall(r'urls = \["([^"]+)"\]', render_sources_toml(11, 50, server.base_url))
        for family, pattern in FAMILIES.items():
            for column in urls:
                if not re.search(pattern, column):
                    continue
                body = fetch(column)
                listing = parse_listing(decode_body(body)[0], column)
                reports = [it for it in listing.items if it.info.is_report]
                if not reports or not (listing.next_pages or listing.api_requests):
                    continue
                save(f"{family}-column", column, body)
                if listing.api_requests:
                    api = listing.api_requests[0]
                    save(f"{family}-records", api.url, fetch(api.url, api.formdata), ".xml")
                else:
                    save(f"{family}-page2", listing.next_pages[0], fetch(listing.next_pages[0]))
                save(f"{family}-detail", reports[0].url, fetch(reports[0].url))
                break
    return 0


if __name__ == "__main__":
    sys.exit(main())
