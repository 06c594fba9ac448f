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

from sqlite_utils import Database

from crawler.registry.sources import Source
from crawler.registry.state import disabled_by_operator
from crawler.vocab.records import RunOutcome
from crawler.vocab.words import HEALTH_WINDOW_DAYS, SOURCE_EMPTY, SOURCE_INTERRUPTED, SOURCE_OK
from storage.health import load_outcomes

__all__ = ["HEALTH_STATES", "Health", "HealthPolicy", "RunOutcome", "health_rows", "judge"]

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


def judge(
    runs: Sequence[RunOutcome], now: datetime, *, enabled: bool = True, policy: HealthPolicy = HealthPolicy()
) -> Health:  # noqa: B008 (frozen, immutable default)
    """The health of one source from its runs (any order) as of ``now``."""
    runs = sorted(
        (r for r in runs if r.at <= now and r.status != SOURCE_INTERRUPTED), key=lambda r: (r.at, r.run_id)
    )
    last_success = max((r.at for r in runs if r.succeeded), default=None)
    streak = 0
    for r in reversed(runs):
        if r.succeeded:
            break
        streak += 1
    window = [r for r in runs if r.at >= now - timedelta(days=policy.window_days)]
    rate = sum(r.succeeded for r in window) / len(window) if window else None
    items = runs[-1].reports_seen if runs else None
    facts = (last_success, streak, items, rate, len(window))
    if not enabled:
        return Health("disabled", "disabled in the registry", *facts)
    if not runs:
        return Health("unknown", "never crawled", *facts)
    tail = runs[-policy.failures :]
    if len(tail) == policy.failures and streak >= policy.failures:
        listed_before = any(r.succeeded for r in runs[: -policy.failures])
        if all(r.status.startswith("blocked") for r in tail):
            return Health(
                "blocked", f"blocked in the last {policy.failures} runs ({tail[-1].status})", *facts
            )
        if all(r.status == SOURCE_EMPTY for r in tail) and listed_before:
            return Health(
                "broken",
                f"the column listed reports before, but none in the last {policy.failures} "
                "runs (redesigned or moved?)",
                *facts,
            )
        if not any(r.status in (SOURCE_OK, SOURCE_EMPTY) for r in tail):
            return Health("broken", f"the last {policy.failures} runs failed ({tail[-1].status})", *facts)
    if not window:
        return Health(
            "degraded",
            f"not crawled in the last {policy.window_days} days (last run {runs[-1].at.date().isoformat()})",
            *facts,
        )
    if streak:
        return Health(
            "degraded", f"{streak} run(s) without reports in a row (latest: {runs[-1].status})", *facts
        )
    if rate is not None and rate < policy.min_success:
        return Health(
            "degraded", f"{rate:.0%} of {len(window)} runs in {policy.window_days} days succeeded", *facts
        )
    return Health("ok", "", *facts)


def health_rows(db: Database, registry: list[Source], now: datetime) -> list[dict]:
    """One row per source (in the registry and enabled or switched off by the operator, or with
    runs on record): its health, the facts behind it, and its latest outcome."""
    outcomes = load_outcomes(
        db, now=now, sources=[s.id for s in registry], window_days=HealthPolicy().window_days
    )
    by_id = {s.id: s for s in registry}
    # Sources the operator switched off stay listed (as disabled) even if never crawled.
    shown = {s.id for s in registry if s.enabled or disabled_by_operator(s)}
    rows = []
    for source_id in sorted(set(outcomes) | shown):
        runs = outcomes.get(source_id, [])
        src = by_id.get(source_id)
        health = judge(runs, now, enabled=src.enabled if src else True).as_dict()
        if src is not None and disabled_by_operator(src):
            health["reason"] = src.note
        rows.append(
            {
                "source": source_id,
                "agency": src.agency if src else None,
                **health,
                "latest_status": runs[-1].status if runs else None,
                "latest_run": runs[-1].at.isoformat() if runs else None,
                "in_registry": src is not None,
            }
        )
    return rows
