"""Source health: is each watched column still alive? (a pure judgement, injected time)

The pain of every scraper fleet is silent failure: a redesigned portal that returns zero items
for weeks.  From a source's per-run outcomes (``source_runs``) this judges one of:

* ``disabled`` — switched off in the registry;
* ``broken`` — the column used to list reports and its last ``failures`` runs read it fine but
  found none (a redesign, a moved column), or its last ``failures`` runs all failed outright
  (unreachable, errors);
* ``blocked`` — its last ``failures`` runs met an anti-bot block;
* ``degraded`` — fewer than ``min_success`` of the runs in the last ``window_days`` succeeded,
  or the latest run failed (but not yet ``failures`` in a row), or no run read the column in
  the last ``window_days`` (a stopped scheduler must not leave a stale ``ok``);
* ``ok`` — otherwise (a source never crawled yet is ``unknown``).

A run stopped early (``interrupted``: SIGTERM, timeout) says nothing about the source and is
left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlite_utils import Database

from crawler.registry.sources import Source
from crawler.registry.state import disabled_by_operator
from crawler.vocab.clock import CHINA_TZ
from crawler.vocab.records import RunOutcome, RunSummary
from crawler.vocab.words import HEALTH_WINDOW_DAYS, SOURCE_EMPTY, SOURCE_INTERRUPTED, SOURCE_OK
from storage.health import load_outcomes, load_summaries

__all__ = [
    "HEALTH_STATES",
    "Health",
    "HealthPolicy",
    "RunOutcome",
    "health_rows",
    "judge",
    "judge_sources",
    "judge_summary",
]

HEALTH_STATES = ("ok", "degraded", "broken", "blocked", "disabled", "unknown")


@dataclass(frozen=True, slots=True)
class HealthPolicy:
    window_days: int = HEALTH_WINDOW_DAYS
    min_success: float = 0.75
    failures: int = 3  # consecutive bad runs that make a source broken or blocked


@dataclass(frozen=True, slots=True)
class Health:
    """A source's health and the facts it rests on."""

    status: str
    reason: str
    last_success: datetime | None
    consecutive_failures: int
    items_last_run: int | None
    success_rate: float | None
    runs_in_window: int

    def as_dict(self) -> dict:
        return {
            "health": self.status,
            "reason": self.reason,
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "consecutive_failures": self.consecutive_failures,
            "items_last_run": self.items_last_run,
            "success_rate": round(self.success_rate, 3) if self.success_rate is not None else None,
            "runs_in_window": self.runs_in_window,
        }


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a judgement rests on, from a full history or from the crawl's summary."""

    last_success: datetime | None
    streak: int  # runs without reports since the last success
    tail: tuple[str, ...]  # the statuses of the last ``failures`` runs
    window_runs: int  # runs in the window
    window_successes: int
    latest_status: str | None  # of the newest run judged (None: never judged)
    latest_seen: int
    latest_day: str  # its date, YYYY-MM-DD


def judge(
    runs: Sequence[RunOutcome], now: datetime, *, enabled: bool = True, policy: HealthPolicy = HealthPolicy()
) -> Health:  # noqa: B008 (frozen, immutable default)
    """The health of one source from its runs (any order) as of ``now``."""
    runs = sorted(
        (r for r in runs if r.at <= now and r.status != SOURCE_INTERRUPTED), key=lambda r: (r.at, r.run_id)
    )
    streak = 0
    for r in reversed(runs):
        if r.succeeded:
            break
        streak += 1
    window = [r for r in runs if r.at >= now - timedelta(days=policy.window_days)]
    facts = _Facts(
        last_success=max((r.at for r in runs if r.succeeded), default=None),
        streak=streak,
        tail=tuple(r.status for r in runs[-policy.failures :]),
        window_runs=len(window),
        window_successes=sum(r.succeeded for r in window),
        latest_status=runs[-1].status if runs else None,
        latest_seen=runs[-1].reports_seen if runs else 0,
        latest_day=runs[-1].at.date().isoformat() if runs else "",
    )
    return _decide(facts, enabled, policy)


def judge_summary(
    summary: RunSummary, now: datetime, *, enabled: bool = True, policy: HealthPolicy = HealthPolicy()
) -> Health:  # noqa: B008 (frozen, immutable default)
    """The same judgement from the crawl's summary of a source, as of a ``now`` no earlier than
    its newest run (what ``status`` and the scheduler ask); equal to :func:`judge` over the
    whole history (tests/test_health.py and bench/health.py check it)."""
    runs, successes = summary.in_window(_window_start(now, policy.window_days))
    judged = summary.judged
    facts = _Facts(
        last_success=datetime.fromisoformat(summary.last_success) if summary.last_success else None,
        streak=summary.streak,
        tail=summary.last(policy.failures) if summary.streak >= policy.failures else (),
        window_runs=runs,
        window_successes=successes,
        latest_status=judged[2] if judged else None,
        latest_seen=judged[3] if judged else 0,
        latest_day=judged[1][:10] if judged else "",
    )
    return _decide(facts, enabled, policy)


@lru_cache(maxsize=8)
def _window_start(now: datetime, days: int) -> str:
    """The window's start as the summaries store times (China-time ISO text): computed once per
    ``now``, not once per source."""
    return (now - timedelta(days=days)).astimezone(CHINA_TZ).isoformat(timespec="seconds")


def _decide(f: _Facts, enabled: bool, policy: HealthPolicy) -> Health:
    rate = f.window_successes / f.window_runs if f.window_runs else None
    items = f.latest_seen if f.latest_status is not None else None
    facts = (f.last_success, f.streak, items, rate, f.window_runs)
    if not enabled:
        return Health("disabled", "disabled in the registry", *facts)
    if f.latest_status is None:
        return Health("unknown", "never crawled", *facts)
    tail = f.tail
    if len(tail) == policy.failures and f.streak >= policy.failures:
        # a success before the tail: the column listed reports once (the tail are all failures)
        listed_before = f.last_success is not None
        if all(status.startswith("blocked") for status in tail):
            return Health("blocked", f"blocked in the last {policy.failures} runs ({tail[-1]})", *facts)
        if all(status == SOURCE_EMPTY for status in tail) and listed_before:
            return Health(
                "broken",
                f"the column listed reports before, but none in the last {policy.failures} "
                "runs (redesigned or moved?)",
                *facts,
            )
        if not any(status in (SOURCE_OK, SOURCE_EMPTY) for status in tail):
            return Health("broken", f"the last {policy.failures} runs failed ({tail[-1]})", *facts)
    if not f.window_runs:
        return Health(
            "degraded",
            f"not crawled in the last {policy.window_days} days (last run {f.latest_day})",
            *facts,
        )
    if f.streak:
        return Health(
            "degraded", f"{f.streak} run(s) without reports in a row (latest: {f.latest_status})", *facts
        )
    if rate is not None and rate < policy.min_success:
        return Health(
            "degraded", f"{rate:.0%} of {f.window_runs} runs in {policy.window_days} days succeeded", *facts
        )
    return Health("ok", "", *facts)


def judge_sources(
    db: Database, registry: Sequence[Source], now: datetime
) -> dict[str, tuple[Health, str | None, str | None]]:
    """Every source with runs on record: its health as of ``now``, and its newest outcome's
    status and time (interrupted runs included).

    Read from the crawl's per-source summaries (one row per source, so the time grows with the
    number of sources, not with the history), or — for a ``now`` before the newest run, or an
    archive without summaries — from the runs themselves."""
    by_id = {s.id: s for s in registry}
    summaries = load_summaries(db, now=now)
    if summaries is not None:
        out = {}
        for sid, summary in summaries.items():
            src = by_id.get(sid)
            latest = summary.latest
            health = judge_summary(summary, now, enabled=src.enabled if src else True)
            out[sid] = (health, latest[2], latest[1]) if latest else (health, None, None)
        return out
    outcomes = load_outcomes(db, now=now, sources=list(by_id), window_days=HealthPolicy().window_days)
    judged = {}
    for sid, runs in outcomes.items():
        newest = max(runs, key=lambda r: (r.at, r.run_id)) if runs else None
        health = judge(runs, now, enabled=_enabled(by_id.get(sid)))
        judged[sid] = (health, newest.status, newest.at.isoformat()) if newest else (health, None, None)
    return judged


def health_rows(db: Database, registry: list[Source], now: datetime) -> list[dict]:
    """One row per source (in the registry and enabled or switched off by the operator, or with
    runs on record): its health, the facts behind it, and its latest outcome."""
    by_id = {s.id: s for s in registry}
    # Sources the operator switched off stay listed (as disabled) even if never crawled.
    shown = {s.id for s in registry if s.enabled or disabled_by_operator(s)}
    judged = judge_sources(db, registry, now)
    rows = []
    for source_id in sorted(set(judged) | shown):
        src = by_id.get(source_id)
        health_of, latest_status, latest_run = judged.get(source_id) or (
            judge([], now, enabled=_enabled(src)),
            None,
            None,
        )
        health = health_of.as_dict()
        if src is not None and disabled_by_operator(src):
            health["reason"] = src.note
        rows.append(
            {
                "source": source_id,
                "agency": src.agency if src else None,
                **health,
                "latest_status": latest_status,
                "latest_run": latest_run,
                "in_registry": src is not None,
            }
        )
    return rows


def _enabled(src: Source | None) -> bool:
    return src.enabled if src else True
