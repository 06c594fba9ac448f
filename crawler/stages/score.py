"""``nianbao score``: every selected (source, year) with a stored verdict scored under a rule
pack, with the review decisions applied (:mod:`crawler.scorecard`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlite_utils import Database

from crawler.registry.sources import Source
from crawler.scorecard.pack import Pack
from crawler.scorecard.rules import Facts
from crawler.scorecard.score import Card, score_all
from storage import scorecard as store


def region_parts(
    verdicts: list[dict], by_id: dict[str, Source], reports: dict[str, dict]
) -> dict[tuple[str, int], list[dict]]:
    """For each region-wide report (source kind ``region``) and year: the reports of its own
    departments (same region code) and of the townships below it (codes that start with it)."""
    regions: dict[str, list[str]] = {}
    for s in by_id.values():
        if s.kind == "region" and s.region:
            regions.setdefault(s.region, []).append(s.id)
    found: dict[tuple[str, int], list[dict]] = {}
    for v in verdicts:
        source = by_id[v["source_id"]]
        report = reports.get(v["report_id"]) if v["report_id"] else None
        code = source.region or ""
        if report is None or not code or source.kind not in ("dept", "township"):
            continue
        # a department belongs to its own code; a township to its code and every prefix of it
        owners = [code] if source.kind == "dept" else [code[:n] for n in range(1, len(code) + 1)]
        for owner in owners:
            for region_id in regions.get(owner, ()):
                found.setdefault((region_id, v["year"]), []).append({**report, "agency": source.agency})
    return found


def gather_facts(db: Database, sources: Sequence[Source], years: list[int] | None) -> list[Facts]:
    """The facts of every stored verdict of the given sources (and years)."""
    by_id = {s.id: s for s in sources}
    verdicts = store.verdict_rows(db, list(by_id), years)
    report_ids = [v["report_id"] for v in verdicts if v["report_id"]]
    reports, checks, originality, edited = store.report_parts(db, report_ids)
    parts = region_parts(verdicts, by_id, reports)
    out = []
    for v in verdicts:
        source = by_id[v["source_id"]]
        rid = v["report_id"]
        out.append(
            Facts(
                source=source.id,
                year=v["year"],
                agency=source.agency,
                level=source.level,
                region=source.region,
                verdict=v,
                report=reports.get(rid) if rid else None,
                checks=checks.get(rid, {}) if rid else {},
                originality=originality.get(rid, {}) if rid else {},
                edited=edited.get(rid) if rid else None,
                kind=source.kind,
                parts=parts.get((source.id, v["year"]), []),
            )
        )
    return out


def run_score(
    db: Database,
    sources: Sequence[Source],
    pack: Pack,
    *,
    year: int | None = None,
    reviews: dict[str, dict] | None = None,
    confirmed_only: bool = False,
) -> list[Card]:
    """Cards of the given sources (of ``year`` and, for the change, the year before; only
    ``year``'s cards are returned), ranked within their tier."""
    years = [year - 1, year] if year is not None else None
    cards = score_all(gather_facts(db, sources, years), pack, reviews, confirmed_only=confirmed_only)
    return [c for c in cards if year is None or c.year == year]
