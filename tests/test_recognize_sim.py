"""The recognition layer against the portal simulator (docs/families.md is the contract).

Walks every column of a small simulated world in-process (no sockets, no spider): listing
pages, pagination, year sub-columns and Hanweb API windows through ``parse_listing``; every
report the truth says is published must be listed with the right year, and its detail page
must parse as a report of the right year and body with the right publish date.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from urllib.parse import urlencode

import pytest

from crawler.recognize.dates import DateCandidate, choose_published
from crawler.recognize.encoding import decode_body
from crawler.recognize.listing import ListItem, parse_listing
from crawler.recognize.page import parse_page
from crawler.recognize.titles import agency_matches
from portalsim.router import SimApp
from portalsim.site import column_url_path
from portalsim.truth import agency_truth
from portalsim.world import agency

BASE = "http://127.0.0.1:8765"
AGENCIES = 24


def _get(app: SimApp, url: str, method: str = "GET", form: dict[str, str] | None = None):
    resp = app.handle(method, url[len(BASE) :], {}, urlencode(form).encode() if form else b"")
    if resp.status == 301:
        resp = app.handle("GET", resp.headers["Location"], {})
    return resp


def _walk_column(app: SimApp, start: str, registry_cms: str) -> tuple[dict[str, ListItem], Counter]:
    problems: Counter = Counter()
    queue: list[tuple[str, str, dict[str, str] | None]] = [("GET", start, None)]
    seen: set[tuple] = set()
    found: dict[str, ListItem] = {}
    while queue:
        method, url, form = queue.pop(0)
        key = (method, url, tuple(sorted((form or {}).items())))
        if key in seen or len(seen) > 200:
            continue
        seen.add(key)
        resp = _get(app, url, method, form)
        if resp.status != 200:
            if resp.status != 404:  # past-the-end pages may 404
                problems[f"listing {resp.status}"] += 1
            continue
        text, _ = decode_body(resp.body, resp.headers.get("Content-Type"))
        listing = parse_listing(text, url, registry_cms)
        for item in listing.items:
            found.setdefault(item.url, item)
        queue += [("GET", u, None) for u in listing.next_pages]
        queue += [("GET", c.url, None) for c in listing.child_columns]
        queue += [(a.method, a.url, dict(a.formdata) or form) for a in listing.api_requests]
        if parse_page(resp.body, url, resp.headers.get("Content-Type"))["kind"] != "listing":
            problems["listing page not a listing"] += 1
    return found, problems


@pytest.mark.parametrize(("seed", "today"), [(11, date(2026, 2, 10)), (3, date(2024, 3, 20))])
def test_every_published_report_is_found_and_recognised(seed, today):
    app = SimApp(seed, AGENCIES, today, troubles=False)
    problems: Counter = Counter()
    checked = 0
    for i in range(1, AGENCIES + 1):
        ag = agency(seed, i)
        if ag.block:
            continue
        found, walk_problems = _walk_column(app, BASE + column_url_path(ag), ag.registry_cms)
        problems += walk_problems
        listed = {u: it for u, it in found.items() if it.info.is_report}
        for truth in agency_truth(seed, i, today, BASE):
            if truth["url"] is None:
                continue
            item = listed.get(truth["url"])
            if item is None or item.info.year != truth["year"]:
                problems["report not listed with its year"] += 1
                continue
            resp = _get(app, truth["url"])
            if "html" not in resp.headers.get("Content-Type", ""):
                continue  # the column links the PDF itself
            page = parse_page(resp.body, truth["url"], resp.headers.get("Content-Type"))
            checked += 1
            if (page["kind"], page["report_year"]) != ("report", truth["year"]):
                problems["detail not a report of its year"] += 1
            if not page["agency"] or not agency_matches(page["agency"], ag.name):
                problems["detail agency"] += 1
            cands = [
                DateCandidate(date.fromisoformat(c["date"]), c["source"], c["raw"], c["trusted"], c["note"])
                for c in page["date_candidates"]
            ]
            cands += [DateCandidate(item.date, "list", item.date.isoformat())] if item.date else []
            chosen = choose_published(cands)
            if chosen is None or chosen.date.isoformat() != truth["published_on"]:
                problems["publish date"] += 1
    assert checked > 10
    assert not problems, dict(problems)
