"""The originality stage (run by ``nianbao extract``/``run`` and ``nianbao similar`` when report texts changed since its last run): for every own
report, how much of it repeats the same body's previous-year report and another body's report
of the same or the previous year (:mod:`crawler.stats.originality`, candidates from the
containment sketch of :mod:`crawler.stats.neardup`), stored in ``originality``.

The whole archive is compared at once: a new report can be the original of an older one's copy
only when its publication is earlier, and the sketch over every report is cheaper than tracking
which pairs a changed text touches (bench/similar.py times 100,000 reports).  Each text is
normalised once for the sketch, and once more if it is in a candidate pair; the other body's
report recorded is the candidate with the highest reuse, and only when that reuse can reach
``OTHER_BODY_FLOOR`` (the search is built to find every copy, reuse ≥ 0.5, and finds most pairs
down to the floor).
"""

from __future__ import annotations

from collections import defaultdict

from sqlite_utils import Database

from crawler.stats.neardup import Doc, Exact, candidates
from crawler.stats.originality import ORIGINALITY_VERSION, Reuse, leaked_names
from crawler.vocab import clock
from storage import originality as store

PREVIOUS_YEAR, OTHER_BODY = "previous_year", "other_body"
OTHER_BODY_FLOOR = 0.2  # another body's report with less reuse than this is not recorded


def _row(kind: str, other: Doc | None, reuse: Reuse | None, leaked: list[str]) -> dict:
    return {
        "kind": kind,
        "compared_report_id": other.id if other else None,
        "reuse": round(reuse.overall, 4) if reuse else 0.0,
        "sections": reuse.sections_json() if reuse else {},
        "passages": reuse.passages_json() if reuse else [],
        "leaked_names": leaked,
    }


def originality_needed(db: Database, changed: int) -> bool:
    """Whether to run: report texts changed, or some report lacks rows of this version."""
    return bool(changed) or store.stale_count(db, ORIGINALITY_VERSION) > 0


def compute_originality(db: Database, registry: dict[str, dict] | None = None) -> int:
    """Compare every own report with its previous year and its near-duplicate candidates; returns
    how many reports were written."""
    registry = registry or {}
    docs: dict[str, Doc] = {}
    by_body: dict[tuple[str, int], list[Doc]] = defaultdict(list)
    for r in store.comparable_reports(db):
        names = tuple(
            n for n in {r["agency"], registry.get(r["source_id"], {}).get("agency")} if n and len(n) >= 3
        )
        doc = Doc(r["id"], r["source_id"], r["report_year"], r["published"] or "", r["text"] or "", names)
        docs[doc.id] = doc
        by_body[doc.body, doc.year or 0].append(doc)
    best: dict[str, tuple[Reuse, Doc, list[str]]] = {}
    exact = Exact(floor=OTHER_BODY_FLOOR)
    for later, earlier in candidates(docs.values(), floor=OTHER_BODY_FLOOR):
        a, b = docs[later], docs[earlier]
        if a.body == b.body:
            continue
        reuse = exact.check(a, b)
        if reuse is None:
            continue
        if later not in best or reuse.overall > best[later][0].overall:
            best[later] = (reuse, b, leaked_names(a.text, b.names, a.names))
    at = clock.now_iso()
    same_body = Exact(floor=0.0)  # every previous year is compared, whatever its reuse
    for doc in docs.values():
        rows = []
        previous = by_body.get((doc.body, (doc.year or 0) - 1), [])
        if previous:
            prev = previous[0]
            rows.append(_row(PREVIOUS_YEAR, prev, same_body.check(doc, prev), []))
            same_body.forget(prev.id)  # reports come by body and year: this one is done
        if doc.id in best:
            reuse, other, leaked = best[doc.id]
            rows.append(_row(OTHER_BODY, other, reuse, leaked))
        else:
            rows.append(_row(OTHER_BODY, None, None, []))
        store.save_originality(db, doc.id, rows, version=ORIGINALITY_VERSION, at=at)
    return len(docs)
