"""Plain records that cross layers: storage reads them out of the archive, the domain judges them.

They carry facts only (no rules), so :mod:`storage` can build them without importing the domain
packages; the rules over them live in :mod:`crawler.compliance` and :mod:`crawler.health`.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime

from crawler.vocab.words import SOURCE_OK


@dataclass(frozen=True, slots=True)
class Page:
    """One listing page of a capture, as evidence (a 304 names the full capture it confirmed)."""

    fetch_id: int | None
    url: str
    fetched_at: str
    status: str
    items: int = 0
    basis_fetch_id: int | None = None


@dataclass(frozen=True, slots=True)
class Capture:
    """One crawl run's view of a source's columns.

    ``status`` is the run's source status (ok, empty, partial, blocked:<kind>, unreachable);
    ``listed_years`` the report years of the source's own reports its listing pages linked to;
    ``unidentified`` how many report-like links it listed are neither a report of a known year
    nor a page we read and found not to be one;
    ``years`` the run's ``--years`` range (None: all years).
    What a capture proves is :func:`crawler.compliance.verdicts.absence_problem`.
    """

    run_id: int
    at: datetime
    status: str
    listed_years: frozenset[int] = frozenset()
    unidentified: int = 0
    years: tuple[int, int] | None = None
    pages: tuple[Page, ...] = ()


@dataclass(frozen=True, slots=True)
class ArchivedReport:
    """One of a source's own reports as the archive holds it (a report may have several URLs:
    moves, re-posts).  Not the crawl item :class:`crawler.items.ReportSeen`, which says a run
    saw an already stored report again."""

    id: str
    year: int
    url: str
    title: str | None
    first_seen_at: datetime
    first_fetch_id: int | None
    date_candidates: tuple[dict, ...] = ()


@dataclass(frozen=True, slots=True)
class VersionText:
    """One stored version of a report page or file, with its extracted text (None: not extracted)."""

    document_url: str
    seq: int
    first_seen_at: str
    last_seen_at: str
    first_fetch_id: int | None
    last_fetch_id: int | None
    text: str | None


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """One source's outcome in one crawl run (``source_runs``)."""

    run_id: int
    at: datetime
    status: str  # ok | empty | partial | blocked:<kind> | unreachable[:<cause>] | interrupted
    reports_seen: int = 0

    @property
    def succeeded(self) -> bool:
        """A run that read the column and found reports on it."""
        return self.status == SOURCE_OK and self.reports_seen > 0


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What the crawl keeps of one source's history for its health (``source_summary``), so a
    judgement reads one row per source: the newest judged run (interrupted runs say nothing of
    a source) as ``(run id, time, status, reports seen)``, the last success, the runs without
    reports since it, the statuses of the last few runs, and the times and successes of the
    runs within the health window of the newest; ``latest`` is the newest outcome of any kind.
    Times are China-time ISO strings as stored (they sort as text)."""

    judged: tuple[int, str, str, int] | None
    last_success: str | None
    streak: int
    tail: str  # statuses of the last runs, oldest first, one per line
    times: str  # the window's run times, ascending, space-separated
    successes: str  # "1"/"0" per entry of ``times``
    latest: tuple[int, str, str, int] | None

    def in_window(self, since: str) -> tuple[int, int]:
        """(runs, successes) at or after ``since`` (an ISO time in China time)."""
        times = self.times.split(" ") if self.times else []
        i = bisect_left(times, since)
        return len(times) - i, self.successes.count("1", i)

    def last(self, n: int) -> tuple[str, ...]:
        """The statuses of the last ``n`` judged runs."""
        return tuple(self.tail.split("\n")[-n:]) if self.tail else ()


@dataclass(slots=True)
class FoundColumn:
    """A page discovery confirmed as an annual-report column (or, ``confidence`` low, a page with
    some reports on it), and how it got there: the start, the pages followed, the anchor that led
    to it, the body it belongs to (and where that name came from), its report years."""

    start: str
    url: str
    depth: int
    path: list[str]
    anchor: str | None
    agency: str | None
    agency_from: str
    level: str | None
    kind: str | None
    cms: str
    years: list[int]
    reports: int
    items: int
    confidence: str
    reason: str
    fetch_id: int | None = None
    paging: str = ""  # how the column pages: "single page", "N pages", "more pages"
