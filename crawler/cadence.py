"""When the scheduler crawls each group of sources (pure functions, injected time).

A lateness verdict is only as precise as the gap between two captures, so in report season
(by default 1 January to 15 April) every group is crawled daily; the rest of the year a weekly
crawl checks that the columns are still alive.  On top of that each group gets a run on the
day after its deadline (the first capture that can date a late report) and on the day after
deadline + grace (the first capture that can prove a report missing), whatever the season.

Sources are grouped by the deadline their reports share: ``dept`` (31 January), ``region``
(31 March), ``township`` (the local default) and one group per source override
(``override-MMDD``).  Start times are spread by a jitter that is a hash of group and day, so
they are reproducible: a restarted scheduler computes the same times as the one it replaced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from crawler.compliance.deadlines import expected_deadline
from crawler.registry.sources import Source, valid_month_day
from crawler.vocab.clock import CHINA_TZ
from crawler.vocab.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON_DAYS = 800  # a plan with no run in this many days has none at all


@dataclass(frozen=True, slots=True)
class Cadence:
    """How often groups are crawled (``NIANBAO_SCHEDULE_*`` settings)."""

    hour: int = 2  # China time: government sites are quiet at night
    jitter_minutes: int = 120  # starts spread over [hour, hour + jitter)
    season: tuple[str, str] = ("01-01", "04-15")  # MM-DD, inclusive: crawled daily ("", "": none)
    weekday: int | None = 0  # off-season weekly crawl (0 = Monday; None: none)
    grace_days: int = 3  # NIANBAO_GRACE_DAYS: the "missing" run follows it

    def __post_init__(self) -> None:
        if not 0 <= self.hour <= 23:
            raise ValueError(f"hour must be 0..23, got {self.hour}")
        if not 0 <= self.jitter_minutes <= 24 * 60:
            raise ValueError(f"jitter must be 0..1440 minutes, got {self.jitter_minutes}")
        if self.season != ("", "") and not all(valid_month_day(md) for md in self.season):
            raise ValueError(f"season must be two MM-DD dates, got {self.season!r}")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday}")


@dataclass(frozen=True, slots=True)
class Group:
    """Sources crawled together because their reports fall due on the same day."""

    name: str
    deadline: str  # MM-DD of the statutory or local deadline
    basis: str
    source_ids: tuple[str, ...]


def parse_season(spec: str) -> tuple[str, str]:
    """``"01-01/04-15"`` → ("01-01", "04-15"); an empty string means no season."""
    spec = spec.strip()
    if not spec:
        return ("", "")
    first, sep, last = spec.partition("/")
    if not sep or not valid_month_day(first.strip()) or not valid_month_day(last.strip()):
        raise ValueError(f"season {spec!r}: expected MM-DD/MM-DD, e.g. 01-01/04-15")
    return first.strip(), last.strip()


def parse_weekday(spec: str) -> int | None:
    """``"mon"``…``"sun"`` → 0…6; ``""`` or ``"none"`` → None (no off-season crawl)."""
    spec = spec.strip().lower()
    if spec in ("", "none"):
        return None
    if spec[:3] not in WEEKDAYS:
        raise ValueError(f"weekday {spec!r}: expected one of {', '.join(WEEKDAYS)} or none")
    return WEEKDAYS.index(spec[:3])


def group_of(source: Source, *, year: int, township_default: str) -> tuple[str, str, str]:
    """(group name, deadline MM-DD, legal basis) of a source for reports of ``year``."""
    due = expected_deadline(source.kind, year, override=source.deadline, township_default=township_default)
    md = due.due.strftime("%m-%d")
    name = f"override-{md.replace('-', '')}" if source.deadline else source.kind
    return name, md, due.basis


def source_groups(sources: Iterable[Source], *, year: int, township_default: str) -> list[Group]:
    """The enabled sources grouped by deadline (groups and members in a stable order)."""
    members: dict[tuple[str, str, str], list[str]] = {}
    for source in sources:
        if source.enabled:
            members.setdefault(group_of(source, year=year, township_default=township_default), []).append(
                source.id
            )
    return [Group(name, md, basis, tuple(ids)) for (name, md, basis), ids in sorted(members.items())]


def _md(d: date) -> str:
    return d.strftime("%m-%d")


def in_season(d: date, season: tuple[str, str]) -> bool:
    """Is ``d`` inside the (inclusive) season window?  A window may wrap the year end."""
    first, last = season
    if not first:
        return False
    md = _md(d)
    return first <= md <= last if first <= last else (md >= first or md <= last)


def day_reasons(d: date, deadline: str, cadence: Cadence) -> list[str]:
    """Why group runs happen on day ``d`` (empty: no run that day)."""
    reasons = []
    due = _deadline_on(d.year, deadline)
    if d == due + timedelta(days=1):
        reasons.append(f"day after the {deadline} deadline")
    if cadence.grace_days and d == due + timedelta(days=cadence.grace_days + 1):
        reasons.append(f"day after the {deadline} deadline + {cadence.grace_days} days' grace")
    if in_season(d, cadence.season):
        reasons.append("report season: daily")
    elif cadence.weekday is not None and d.weekday() == cadence.weekday:
        reasons.append(f"off season: weekly on {WEEKDAYS[cadence.weekday]}")
    return reasons


def _deadline_on(year: int, md: str) -> date:
    month, day = int(md[:2]), int(md[3:])
    if (month, day) == (2, 29) and not _leap(year):
        day = 28
    return date(year, month, day)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def jitter(group: str, d: date, minutes: int) -> timedelta:
    """A reproducible offset in [0, minutes) for ``group`` on day ``d``."""
    if minutes <= 0:
        return timedelta(0)
    digest = hashlib.blake2b(f"{group}|{d.isoformat()}".encode(), digest_size=8).digest()
    return timedelta(seconds=int.from_bytes(digest, "big") % (minutes * 60))


def fire_time(group: str, d: date, cadence: Cadence) -> datetime:
    """When the group's run on day ``d`` starts (China time, whole seconds)."""
    return datetime.combine(d, time(cadence.hour), CHINA_TZ) + jitter(group, d, cadence.jitter_minutes)


def next_fire(
    group: str, deadline: str, cadence: Cadence, after: datetime, *, inclusive: bool = False
) -> tuple[datetime, str] | None:
    """The first run of the group strictly after ``after`` (or at it, ``inclusive``), with its reason."""
    start = after.astimezone(CHINA_TZ).date() - timedelta(days=1)  # jitter never crosses a day
    for offset in range(HORIZON_DAYS):
        d = start + timedelta(days=offset)
        reasons = day_reasons(d, deadline, cadence)
        if not reasons:
            continue
        at = fire_time(group, d, cadence)
        if at > after or (inclusive and at == after):
            return at, "; ".join(reasons)
    return None


def plan(
    group: str, deadline: str, cadence: Cadence, start: datetime, end: datetime
) -> list[tuple[datetime, str]]:
    """Every run of the group in [start, end), in order (for ``--list`` and tests)."""
    out = []
    nxt = next_fire(group, deadline, cadence, start, inclusive=True)
    while nxt is not None and nxt[0] < end:
        out.append(nxt)
        nxt = next_fire(group, deadline, cadence, nxt[0])
    return out


def select_group(sources: list[Source], group: str, *, year: int, township_default: str) -> list[Source]:
    """The enabled sources of a scheduler group (``dept``, ``region``, ``township``,
    ``override-MMDD``); an unknown or empty group is a ConfigError."""
    members = [
        s
        for s in sources
        if s.enabled and group_of(s, year=year, township_default=township_default)[0] == group
    ]
    if not members:
        names = [g.name for g in source_groups(sources, year=year, township_default=township_default)]
        raise ConfigError(f"no enabled source in group {group!r} (groups: {', '.join(names) or 'none'})")
    return members
