"""One run: crawl → extract (and analyse) → check → publish, the sequence every entry point shares.

``nianbao run`` (what the scheduler starts for each group), ``nianbao extract``/``check`` and the
demo call these functions instead of repeating the sequence.  The extract and check stages take
their archive-wide locks here, so two processes never do the same stage at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from scrapy.settings import Settings

from crawler.registry import load_registry, select_enabled
from crawler.stages.check import CheckResult, policy_from_settings, run_check
from crawler.stages.crawl import (
    all_busy,
    build_settings,
    crawl_problem,
    interrupted,
    run_crawl,
    select_for_crawl,
)
from crawler.stages.extract import ExtractSummary, run_extract
from crawler.stages.publish import publish_events
from storage.db import data_dir, open_db
from storage.locks import stage_lock

OnWait = Callable[[str, str], None]  # (stage, who holds it): told once when a stage lock is taken


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How extraction runs: worker processes, per-file timeout and memory cap, OCR on or off."""

    workers: int = 2
    timeout: float = 120.0
    memory_mb: int = 1536
    ocr: bool = True


@dataclass(slots=True)
class CheckOutcome:
    """A check and the delivery problems of the events it published."""

    result: CheckResult
    problems: list[str] = field(default_factory=list)


def _locked(data: str | None, stage: str, command: str, on_wait: OnWait | None):
    def told(holder) -> None:
        if on_wait is not None:
            on_wait(stage, holder.describe() if holder else "another process")

    return stage_lock(data_dir(data), stage, command=command, on_wait=told)


def extract_stage(
    data: str | None,
    *,
    sources: str | None = None,
    redo: bool = False,
    options: ExtractOptions = ExtractOptions(),  # noqa: B008 (frozen)
    progress: Callable[[int, int], None] | None = None,
    on_wait: OnWait | None = None,
    command: str = "extract",
) -> ExtractSummary:
    """Extract what is pending under the ``extract`` lock (raises ArchiveMissing before waiting)."""
    open_db(data, create=False).close()
    with _locked(data, "extract", command, on_wait):
        return run_extract(
            data,
            sources=sources,
            redo=redo,
            workers=options.workers,
            timeout=options.timeout,
            memory_mb=options.memory_mb,
            ocr=options.ocr,
            progress=progress,
        )


def check_stage(
    data: str | None,
    *,
    sources: str | None,
    source_ids: Sequence[str] = (),
    as_of: date | None = None,
    settings: Settings | None = None,
    notify: bool = True,
    on_wait: OnWait | None = None,
    command: str = "check",
) -> CheckOutcome:
    """Judge the selected sources (every enabled one by default) and publish the flag events,
    under the ``check`` lock: two checks reconciling the same flags at once would race."""
    settings = settings or build_settings()
    policy = policy_from_settings(settings)
    db = open_db(data, create=False)
    try:
        selected = select_enabled(load_registry(sources, data), list(source_ids) or None)
        with _locked(data, "check", command, on_wait):
            result = run_check(db, selected, as_of=as_of, policy=policy)
            problems = (
                publish_events(db, data_dir(data), settings, deliver_events=notify) if result.written else []
            )
    finally:
        db.close()
    return CheckOutcome(result, problems)


@dataclass(slots=True)
class RunResult:
    """What a run did: Scrapy's final crawl stats, why it failed (``problem``), why it stopped
    after the crawl (``stopped``), and the extract and check outcomes when they ran."""

    stats: dict[str, Any]
    problem: str | None = None
    stopped: str | None = None
    extracted: ExtractSummary | None = None
    checked: CheckOutcome | None = None


def run(
    data: str | None,
    *,
    sources: str | None,
    source_ids: Sequence[str] = (),
    group: str | None = None,
    years: str | None = None,
    profile: str = "polite",
    overrides: Mapping[str, Any] | None = None,
    extract: ExtractOptions = ExtractOptions(),  # noqa: B008 (frozen)
    notify: bool = True,
    as_of: date | None = None,
    on_wait: OnWait | None = None,
    on_stage: Callable[[str, object], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    command: str = "run",
) -> RunResult:
    """Crawl the selected sources, then extract (analysing what changed) and check (publishing
    the flag events), calling ``on_stage(name, outcome)`` after each stage; ``command`` names
    this run to whoever waits for its stage locks, ``progress`` follows the extraction.

    A crawl stopped by a signal ends the run there (its sources are recorded ``interrupted`` and
    the next run crawls them again), and so does one that found every source busy; a crawl
    that ended with errors still archived pages, so they are extracted and checked, and the
    result carries the crawl's problem.
    """
    overrides = dict(overrides or {})
    ids = select_for_crawl(source_ids, data, sources, group, overrides)
    stats = run_crawl(
        data=data, sources=sources, source_ids=ids, years=years, profile=profile, overrides=overrides
    )
    out = RunResult(stats, crawl_problem(stats))
    if on_stage:
        on_stage("crawl", stats)
    if interrupted(stats):
        out.stopped = "crawl interrupted: extract and check skipped (the next run crawls these sources again)"
        return out
    if all_busy(stats):
        out.stopped = f"{out.problem}; extract and check skipped"
        return out
    out.extracted = extract_stage(
        data, sources=sources, options=extract, progress=progress, on_wait=on_wait, command=command
    )
    if on_stage:
        on_stage("extract", out.extracted)
    out.checked = check_stage(
        data,
        sources=sources,
        source_ids=ids,
        as_of=as_of,
        settings=build_settings(overrides),
        notify=notify,
        on_wait=on_wait,
        command=command,
    )
    if on_stage:
        on_stage("check", out.checked)
    return out
