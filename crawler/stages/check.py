"""``nianbao check``: verdicts for every watched (source, year), flags, history, feed, notifications.

Reads the archive in bulk (:mod:`storage.compliance`), decides with the pure functions of
:mod:`crawler.compliance.verdicts` / :mod:`~crawler.compliance.edits` /
:mod:`~crawler.compliance.flags`, and writes the ``compliance`` table, the flags and their
events in one transaction.  The Atom feed and notifications are produced from the events
afterwards, so a failed delivery never loses a state change (it is retried next run).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from scrapy.settings import Settings
from sqlite_utils import Database

from crawler.compliance.edits import find_edits
from crawler.compliance.flags import (
    Change,
    Desired,
    compliance_flags,
    copied_flag,
    edit_flag,
    health_flag,
    inconsistent_flag,
    reconcile,
    shared_chars,
)
from crawler.compliance.verdicts import DEFAULT_POLICY, Policy, SourceInfo, source_verdicts
from crawler.registry.sources import Source, valid_month_day
from crawler.vocab import clock
from crawler.vocab.errors import ConfigError
from crawler.vocab.words import COMPLIANCE_KINDS, HEALTH_BLOCKED, HEALTH_BROKEN
from storage import compliance as store
from storage import stats as stats_store
from storage.db import transaction
from storage.health import seen_source_ids


@dataclass(slots=True)
class CheckResult:
    """What one check found and changed."""

    as_of: date
    verdicts: list[dict]
    events: list[dict] = field(default_factory=list)
    written: bool = False
    skipped: list[str] = field(default_factory=list)  # selected sources never crawled into the archive

    @property
    def counts(self) -> Counter:
        return Counter(v["status"] for v in self.verdicts)


class NeverCrawled(ConfigError):
    """A check of sources the archive has never crawled: it would only write ``unknown``s."""


def source_info(s: Source) -> SourceInfo:
    return SourceInfo(s.id, s.agency, s.kind, s.level, s.region, s.first_year, s.deadline)


def compute_verdicts(db: Database, sources: Sequence[Source], as_of: date, policy: Policy) -> list[dict]:
    """Verdicts (dicts, DESIGN §7) of every year of every given source, as of ``as_of``."""
    ids = [s.id for s in sources] if len(sources) <= 500 else None  # bulk reads beat huge IN lists
    # Millions of small acyclic objects (inputs, verdict dicts) and no reference cycles: the cyclic
    # collector would only re-walk them again and again (a quarter of the time at 100,000 sources).
    collecting = gc.isenabled()
    gc.disable()
    try:
        captures = store.load_captures(db, ids)
        reports = store.load_reports(db, ids)
        out = []
        for s in sources:
            out.extend(
                v.as_dict()
                for v in source_verdicts(
                    source_info(s), reports.get(s.id, ()), captures.get(s.id, []), as_of, policy
                )
            )
        return out
    finally:
        if collecting:
            gc.enable()


def edit_flags(db: Database, sources: Sequence[Source]) -> dict[str, Desired]:
    """``edited`` flags of the given sources' reports whose clean text changed."""
    by_id = {s.id: s for s in sources}
    versions = store.load_versions(db, [s.id for s in sources] if len(sources) <= 500 else None)
    facts = store.report_facts(db, list(versions))
    out = {}
    for report_id, docs in versions.items():
        fact = facts.get(report_id)
        if not fact or fact["source_id"] not in by_id:
            continue
        edits = [e for vs in docs.values() for e in find_edits(vs)]
        if edits:
            edits.sort(key=lambda e: e.after.first_seen_at)
            flag = edit_flag(
                fact["source_id"],
                by_id[fact["source_id"]].agency,
                fact["report_year"],
                report_id,
                fact["title"],
                edits,
            )
            out[flag.key] = flag
    return out


def health_flags(db: Database, all_sources: Sequence[Source]) -> dict[str, Desired]:
    """``source_broken`` / ``source_blocked`` flags of the given sources, from their run history."""
    from crawler.health import judge_sources
    from storage.health import latest_pages

    judged = judge_sources(db, all_sources, clock.now())
    out = {}
    for s in all_sources:
        found = judged.get(s.id)
        if found is None:
            continue  # never crawled: no health to flag
        health = found[0].as_dict()
        if health["health"] in (HEALTH_BROKEN, HEALTH_BLOCKED):
            flag = health_flag(s.id, s.agency, health, latest_pages(db, s.id))
            out[flag.key] = flag
    return out


def inconsistency_flags(db: Database, sources: Sequence[Source]) -> dict[str, Desired]:
    """``inconsistent`` flags: one per failed consistency rule of the given sources' reports."""
    by_id = {s.id: s for s in sources}
    out = {}
    for row in stats_store.failed_checks(db):
        source = by_id.get(row["source_id"])
        if source is not None:
            flag = inconsistent_flag(row, source.agency)
            out[flag.key] = flag
    return out


def copied_flags(db: Database, sources: Sequence[Source], policy: Policy) -> dict[str, Desired]:
    """``copied`` flags: reports whose stored originality (``nianbao similar``) passes the policy's
    thresholds — another body's earlier report, or the same body's previous year."""
    from storage.originality import copies

    by_id = {s.id: s for s in sources}
    out = {}
    for row in copies(db, other_body=policy.copied_threshold, previous_year=policy.repeat_threshold):
        source = by_id.get(row["source_id"])
        if source is not None and shared_chars(row) >= policy.copied_min_chars:
            flag = copied_flag(row, source.agency)
            out[flag.key] = flag
    return out


def _closing_summary(change: Change, old: dict, verdicts: dict[tuple[str, int], dict]) -> None:
    v = verdicts.get((old["source_id"], old["year"]))
    if old["kind"] in COMPLIANCE_KINDS and v is not None:
        change.row["summary"] = f"{old['agency']}: {old['year']} report now {v['status']} ({v['reason']})"
        change.row["summary_zh"] = (
            f"{old['agency']}{old['year']}年度报告状态更新为{v['status']}：{v['reason_zh']}"
        )
    else:
        change.row["summary"] = f"no longer observed: {old['summary']}"
        change.row["summary_zh"] = f"已不再成立：{old['summary_zh']}"


def apply_flags(
    db: Database,
    changes: list[Change],
    existing: dict[str, dict],
    verdicts: dict[tuple[str, int], dict],
    now: str,
) -> list[dict]:
    """Write flag changes and their events (one transaction); returns the events written."""
    events = []
    with transaction(db):
        for ch in changes:
            old = existing.get(ch.key)
            if ch.event == "closed" and old is not None:
                _closing_summary(ch, old, verdicts)
            if ch.flag_id is None:
                flag_id = store.insert_flag(db, ch.row)
            else:
                flag_id = ch.flag_id
                store.update_flag(db, flag_id, ch.row)
            if ch.event is None:
                continue
            merged = {**(old or {}), **ch.row}
            event = {
                "flag_id": flag_id,
                "at": now,
                "event": ch.event,
                "kind": merged["kind"],
                "previous_kind": ch.previous_kind if ch.event != "opened" else None,
                "source_id": merged["source_id"],
                "agency": merged["agency"],
                "year": merged["year"],
                "report_id": merged["report_id"],
                "summary": merged["summary"],
                "summary_zh": merged["summary_zh"],
                "url": merged["url"],
                "notified_at": None,
            }
            event["id"] = store.add_event(db, event)
            events.append(event)
    return events


def run_check(
    db: Database,
    sources: Sequence[Source],
    *,
    as_of: date | None = None,
    policy: Policy = DEFAULT_POLICY,
    write: bool | None = None,
) -> CheckResult:
    """Judge every enabled source; write verdicts and flags unless the check is historical.

    ``as_of`` (default: the clock's today) limits what the verdicts may use.  A check as of a
    past date is a what-if: it prints verdicts but leaves stored verdicts and flags alone
    (``write`` forces either way).
    """
    today = clock.today()
    as_of = as_of or today
    if write is None:
        write = as_of >= today
    sources = [s for s in sources if s.enabled]
    seen = seen_source_ids(db, [s.id for s in sources])
    unseen = [s.id for s in sources if s.id not in seen]
    if sources and len(unseen) == len(sources):
        raise NeverCrawled(
            f"this archive holds no crawl of any of the {len(sources)} selected source(s) "
            f"({', '.join(unseen[:3])}{', …' if len(unseen) > 3 else ''}): nothing to judge. "
            "Is it the right --data, and the registry it was crawled with (--sources)?"
        )
    sources = [s for s in sources if s.id in seen]
    verdicts = compute_verdicts(db, sources, as_of, policy)
    result = CheckResult(as_of, verdicts, skipped=unseen)
    if not write:
        return result
    now = clock.now_iso()
    store.save_verdicts(db, verdicts, now)
    desired = compliance_flags(verdicts)
    desired.update(edit_flags(db, sources))
    desired.update(inconsistency_flags(db, sources))
    desired.update(copied_flags(db, sources, policy))
    desired.update(health_flags(db, sources))
    existing = store.flags_by_key(db)
    changes = reconcile(existing, desired, now, {s.id for s in sources})
    by_pair = {(v["source"], v["year"]): v for v in verdicts}
    result.events = apply_flags(db, changes, existing, by_pair, now)
    result.written = True
    return result


def policy_from_settings(settings: Settings) -> Policy:
    """The compliance policy of nianbao's settings (``NIANBAO_GRACE_DAYS``,
    ``NIANBAO_TOWNSHIP_DEADLINE``); a bad value is a :class:`ConfigError`."""
    grace = settings.getint("NIANBAO_GRACE_DAYS")
    township = settings.get("NIANBAO_TOWNSHIP_DEADLINE")
    if grace < 0:
        raise ConfigError(f"NIANBAO_GRACE_DAYS must be >= 0, got {grace}")
    if not valid_month_day(township or ""):
        raise ConfigError(f"NIANBAO_TOWNSHIP_DEADLINE must be MM-DD, got {township!r}")
    window = settings.getint("NIANBAO_MISSING_WINDOW_DAYS")
    if window < 1:
        raise ConfigError(f"NIANBAO_MISSING_WINDOW_DAYS must be >= 1, got {window}")
    thresholds = {}
    for name, field_name in (
        ("NIANBAO_COPIED_THRESHOLD", "copied_threshold"),
        ("NIANBAO_REPEAT_THRESHOLD", "repeat_threshold"),
    ):
        value = settings.getfloat(name)
        if not 0 < value <= 1:
            raise ConfigError(f"{name} must be a share in (0, 1], got {value}")
        thresholds[field_name] = value
    min_chars = settings.getint("NIANBAO_COPIED_MIN_CHARS")
    if min_chars < 0:
        raise ConfigError(f"NIANBAO_COPIED_MIN_CHARS must be >= 0, got {min_chars}")
    return Policy(
        grace_days=grace,
        township_default=township,
        missing_window_days=window,
        copied_min_chars=min_chars,
        **thresholds,
    )
