"""The read side of ``nianbao serve``: bounded, paged queries over the archive for the web pages
and their CSV/JSON/Atom twins. Every list query takes its filters as keyword arguments (values,
never SQL), returns at most ``limit`` rows and says how many there are in all.

The web layer validates every parameter first (whitelisted words, integers, digits); the SQL
here binds values and only interpolates names chosen from fixed tuples.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from sqlite_utils import Database

from crawler.vocab.words import HEADLINE, STATUSES

GRID_SORTS = ("agency", "source", "claims")
NUMBER_ORDERS = ("desc", "asc")
NUMBER_OPS = {"ge": ">=", "le": "<=", "eq": "=", "gt": ">", "lt": "<"}


def _rows(db: Database, sql: str, args: list | tuple = ()) -> list[dict]:
    return list(db.query(sql, list(args)))


def _one(db: Database, sql: str, args: list | tuple = ()) -> dict | None:
    return next(iter(db.query(sql, list(args))), None)


def _scalar(db: Database, sql: str, args: list | tuple = ()) -> int:
    row = db.conn.execute(sql, list(args)).fetchone()
    return int(row[0] or 0) if row else 0


# -- home ------------------------------------------------------------------------------------------


def overview(db: Database) -> dict:
    """Counts for the home page: sources judged, reports, texts, verdicts by status, open flags by kind."""
    return {
        "sources": _scalar(db, "select count(*) from compliance_sources"),
        "reports": _scalar(db, "select count(*) from reports where coalesce(exclusion, '') = ''"),
        "texts": _scalar(db, "select count(*) from report_texts"),
        "fetches": _scalar(db, "select max(id) from fetches"),
        "verdicts": {
            r["status"]: r["n"]
            for r in _rows(db, "select status, sum(n) as n from compliance_rollup group by status")
        },
        "flags": {
            r["kind"]: r["n"]
            for r in _rows(db, "select kind, count(*) as n from flags where state = 'open' group by kind")
        },
        # two scalar subqueries: each max() is then one index seek (one select with both scans)
        "as_of": (
            _one(
                db,
                "select (select max(as_of) from compliance) as a, (select max(checked_at) from compliance) as c",
            )
            or {}
        ),
    }


def newest_reports(db: Database, limit: int = 10) -> list[dict]:
    """The reports first seen most recently."""
    return _rows(
        db,
        "select id, source_id, agency, report_year, title, published_at, published_at_source, first_seen_at "
        "from reports where coalesce(exclusion, '') = '' order by first_seen_at desc, id limit ?",
        [limit],
    )


def last_runs(db: Database, limit: int = 5) -> list[dict]:
    """The latest runs: when, what, how they ended."""
    return _rows(
        db,
        "select id, started_at, finished_at, finish_reason, command from runs order by id desc limit ?",
        [limit],
    )


# -- the compliance grid ---------------------------------------------------------------------------


@dataclass(slots=True)
class GridFilter:
    """Which agencies the grid shows (all optional; ``sources`` restricts to a set of ids)."""

    years: tuple[int, int]
    level: str | None = None
    region: str | None = None  # a 行政区划代码 prefix (digits)
    kind: str | None = None
    name: str | None = None  # agency name contains
    status: str | None = None  # the agency has at least one verdict of this status in ``years``
    sources: list[str] | None = field(default=None)


def _grid_where(f: GridFilter) -> tuple[str, list]:
    where: list[str] = ["1"]
    args: list = []
    if f.level:
        where.append("s.level = ?")
        args.append(f.level)
    if f.region:
        where.append("s.region like ? || '%'")
        args.append(f.region)
    if f.kind:
        where.append("s.kind = ?")
        args.append(f.kind)
    if f.name:
        where.append("instr(s.agency, ?) > 0")
        args.append(f.name)
    if f.status:
        where.append(
            "s.source_id in (select source_id from compliance where status = ? and year between ? and ?)"
        )
        args += [f.status, *f.years]
    if f.sources is not None:
        where.append("s.source_id in (select value from json_each(?))")
        args.append(json.dumps(f.sources))
    return " and ".join(where), args


def grid_sources(
    db: Database, f: GridFilter, *, sort: str, limit: int, offset: int
) -> tuple[int, list[dict]]:
    """(how many agencies match, one page of them) from ``compliance_sources``."""
    where, args = _grid_where(f)
    order = {
        "agency": "s.agency, s.source_id",
        "source": "s.source_id",
        "claims": "s.claims desc, s.agency, s.source_id",
    }[sort]
    total = _scalar(db, f"select count(*) from compliance_sources s where {where}", args)
    rows = _rows(
        db,
        f"select s.* from compliance_sources s where {where} order by {order} limit ? offset ?",
        [*args, limit, offset],
    )
    return total, rows


def grid_source_ids(db: Database, f: GridFilter) -> list[str]:
    """Every matching source id (for filters applied outside SQL, such as source health)."""
    where, args = _grid_where(f)
    return [
        r["source_id"] for r in _rows(db, f"select s.source_id from compliance_sources s where {where}", args)
    ]


def grid_cells(db: Database, source_ids: list[str], years: tuple[int, int]) -> dict[tuple[str, int], dict]:
    """The verdicts of these sources in ``years``, by (source, year)."""
    if not source_ids:
        return {}
    rows = _rows(
        db,
        "select source_id, year, status, reason, reason_zh, confidence, published_at, deadline from compliance "
        "where source_id in (select value from json_each(?)) and year between ? and ?",
        [json.dumps(source_ids), *years],
    )
    return {(r["source_id"], r["year"]): r for r in rows}


def verdict_years(db: Database) -> tuple[int, int] | None:
    """The first and last report year with a stored verdict."""
    row = db.conn.execute("select min(year), max(year) from compliance_rollup").fetchone()
    return (int(row[0]), int(row[1])) if row and row[0] is not None else None


def rollup(db: Database, f: GridFilter, by: str) -> list[dict]:
    """Verdict counts by ``level`` or ``province`` (first two digits of the region code) for the
    filter's years, level, region and kind; each row has the group, a count per status and the
    on-time rate among verdicts that are due and decided (on_time / (on_time + late + missing))."""
    column = {"level": "level", "province": "province"}[by]
    where = ["year between ? and ?"]
    args: list = [*f.years]
    if f.level:
        where.append("level = ?")
        args.append(f.level)
    if f.region:
        where.append("province = substr(?, 1, 2)")
        args.append(f.region)
    if f.kind:
        where.append("kind = ?")
        args.append(f.kind)
    rows = _rows(
        db,
        f"select {column} as grp, status, sum(n) as n from compliance_rollup where {' and '.join(where)} "
        "group by grp, status",
        args,
    )
    groups: dict[str, dict] = {}
    for r in rows:
        g = groups.setdefault(r["grp"] or "", {"group": r["grp"] or "", **{s: 0 for s in STATUSES}})
        g[r["status"]] = g.get(r["status"], 0) + int(r["n"])
    out = []
    for g in groups.values():
        decided = g["on_time"] + g["late"] + g["missing"]
        g["total"] = sum(g[s] for s in STATUSES)
        g["on_time_rate"] = g["on_time"] / decided if decided else None
        out.append(g)
    return sorted(out, key=lambda g: g["group"])


# -- one verdict, one agency -----------------------------------------------------------------------


def verdict_row(db: Database, source_id: str, year: int) -> dict | None:
    """The stored ``compliance`` row of (source, year)."""
    return _one(db, "select * from compliance where source_id = ? and year = ?", [source_id, year])


def source_verdict_rows(db: Database, source_id: str) -> list[dict]:
    """Every stored verdict of a source, newest year first."""
    return _rows(db, "select * from compliance where source_id = ? order by year desc", [source_id])


def source_row(db: Database, source_id: str) -> dict | None:
    """The grid's row of a source (agency, level, region, kind, counts)."""
    return _one(db, "select * from compliance_sources where source_id = ?", [source_id])


def fetches_by_id(db: Database, fetch_ids: list[int]) -> dict[int, dict]:
    """``fetches`` rows by id (the captures a piece of evidence names)."""
    if not fetch_ids:
        return {}
    rows = _rows(
        db, "select * from fetches where id in (select value from json_each(?))", [json.dumps(fetch_ids)]
    )
    return {r["id"]: r for r in rows}


def source_runs(db: Database, source_id: str, limit: int = 30) -> list[dict]:
    """The source's latest runs: when, outcome, listing pages, reports seen and new."""
    return _rows(
        db,
        "select sr.*, r.started_at, r.finished_at, r.finish_reason from source_runs sr join runs r on r.id = sr.run_id "
        "where sr.source_id = ? order by sr.run_id desc limit ?",
        [source_id, limit],
    )


def source_reports(db: Database, source_id: str) -> list[dict]:
    """Every report seen in a source's columns (other bodies' and non-reports included, marked)."""
    return _rows(
        db,
        "select id, report_year, title, url, agency, own, exclusion, published_at, published_at_source, "
        "first_seen_at, format from reports where source_id = ? order by report_year desc, first_seen_at desc",
        [source_id],
    )


def flag_events_of(db: Database, flag_ids: list[int]) -> dict[int, list[dict]]:
    """The history of each flag, oldest event first."""
    out: dict[int, list[dict]] = {}
    if not flag_ids:
        return out
    for r in _rows(
        db,
        "select * from flag_events where flag_id in (select value from json_each(?)) order by id",
        [json.dumps(flag_ids)],
    ):
        out.setdefault(r["flag_id"], []).append(r)
    return out


# -- flags -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class FlagFilter:
    kinds: list[str] | None = None
    year: int | None = None
    region: str | None = None
    state: str | None = "open"  # open, closed, None = both
    source: str | None = None
    name: str | None = None
    severity: str | None = None  # error / warning: of an inconsistency; compliance kinds count as error
    since: str | None = None  # updated at or after (ISO)


def _flag_where(f: FlagFilter) -> tuple[str, list]:
    where: list[str] = ["1"]
    args: list = []
    if f.kinds:
        where.append("f.kind in (select value from json_each(?))")
        args.append(json.dumps(f.kinds))
    # with a region, the region's sources drive the query (flags by source_id); "+" keeps the
    # planner off the state index, which would walk every open flag
    state = "+f.state" if f.region else "f.state"
    for column, value in (("f.year", f.year), (state, f.state), ("f.source_id", f.source)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if f.region:
        where.append("f.source_id in (select source_id from compliance_sources where region like ? || '%')")
        args.append(f.region)
    if f.name:
        where.append("instr(f.agency, ?) > 0")
        args.append(f.name)
    if f.severity:
        where.append(f"({FLAG_SEVERITY_SQL}) = ?")
        args.append(f.severity)
    if f.since:
        where.append("f.updated_at >= ?")
        args.append(f.since)
    return " and ".join(where), args


# An inconsistency flag carries its rule's severity (error / warning); every other kind is a claim
# or an outage and counts as an error.
FLAG_SEVERITY_SQL = "case when f.kind = 'inconsistent' then coalesce(json_extract(f.detail, '$.severity'), 'warning') else 'error' end"


def flags_page(db: Database, f: FlagFilter, *, limit: int, offset: int) -> tuple[int, list[dict]]:
    """(how many flags match, one page of them, newest change first) with their severity."""
    where, args = _flag_where(f)
    total = _scalar(db, f"select count(*) from flags f where {where}", args)
    return total, newest_flags(db, f, limit=limit, offset=offset)


def newest_flags(db: Database, f: FlagFilter, *, limit: int, offset: int = 0) -> list[dict]:
    """A page of the flags matching the filter, newest change first, with their severity."""
    where, args = _flag_where(f)
    return _rows(
        db,
        f"select f.*, {FLAG_SEVERITY_SQL} as severity, s.region, s.level from flags f "
        f"left join compliance_sources s on s.source_id = f.source_id where {where} "
        "order by f.updated_at desc, f.id desc limit ? offset ?",
        [*args, limit, offset],
    )


def flag_kind_counts(db: Database, f: FlagFilter) -> dict[str, int]:
    """How many flags of each kind match the filter (kinds not restricted)."""
    where, args = _flag_where(replace(f, kinds=None))
    return {
        r["kind"]: r["n"]
        for r in _rows(db, f"select f.kind, count(*) as n from flags f where {where} group by f.kind", args)
    }


def flag_events_page(db: Database, f: FlagFilter, *, limit: int) -> list[dict]:
    """The newest flag events of the flags matching the filter (for an Atom feed)."""
    where, args = _flag_where(f)
    return _rows(
        db,
        "select e.* from flag_events e join flags f on f.id = e.flag_id "
        f"where {where} order by e.id desc limit ?",
        [*args, limit],
    )


# -- reports and their numbers ---------------------------------------------------------------------


@dataclass(slots=True)
class ReportFilter:
    year: int | None = None
    level: str | None = None
    region: str | None = None
    name: str | None = None
    source: str | None = None
    fmt: str | None = None
    field: str | None = None  # one of HEADLINE: only reports where it is stated
    op: str | None = None  # a key of NUMBER_OPS
    value: float | None = None
    since: str | None = None  # first seen at or after (ISO)


def _report_where(f: ReportFilter) -> tuple[str, list]:
    where: list[str] = ["coalesce(r.exclusion, '') = ''"]
    args: list = []
    for column, value in (("r.report_year", f.year), ("r.source_id", f.source), ("r.format", f.fmt)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if f.level or f.region:
        sub, sub_args = [], []
        if f.level:
            sub.append("level = ?")
            sub_args.append(f.level)
        if f.region:
            sub.append("region like ? || '%'")
            sub_args.append(f.region)
        where.append(f"r.source_id in (select source_id from compliance_sources where {' and '.join(sub)})")
        args += sub_args
    if f.name:
        where.append("instr(r.agency, ?) > 0")
        args.append(f.name)
    if f.field:
        column = _headline(f.field)
        where.append(f"r.{column} is not null")
        if f.op and f.value is not None:
            where.append(f"r.{column} {NUMBER_OPS[f.op]} ?")
            args.append(f.value)
    if f.since:
        where.append("r.first_seen_at >= ?")
        args.append(f.since)
    return " and ".join(where), args


def _headline(name: str) -> str:
    if name not in HEADLINE:
        raise ValueError(f"not a headline number: {name!r}")
    return name


REPORT_COLUMNS = (
    "r.id, r.source_id, r.agency, r.report_year, r.title, r.url, r.published_at, r.published_at_source, "
    "r.first_seen_at, r.format, " + ", ".join(f"r.{h}" for h in HEADLINE) + ", s.level, s.region"
)


def reports_page(
    db: Database, f: ReportFilter, *, order: str = "desc", limit: int, offset: int
) -> tuple[int, list[dict]]:
    """(how many reports match, one page): sorted by ``f.field`` (``order`` desc/asc) when a number
    is asked for, else newest first seen."""
    where, args = _report_where(f)
    if f.field:
        sort = f"r.{_headline(f.field)} {'asc' if order == 'asc' else 'desc'}, r.agency, r.id"
    else:
        sort = "r.first_seen_at desc, r.id"
    total = _scalar(db, f"select count(*) from reports r where {where}", args)
    rows = _rows(
        db,
        f"select {REPORT_COLUMNS} from reports r left join compliance_sources s on s.source_id = r.source_id "
        f"where {where} order by {sort} limit ? offset ?",
        [*args, limit, offset],
    )
    return total, rows


def reports_by_id(db: Database, report_ids: list[str]) -> dict[str, dict]:
    """Report rows (the columns of :func:`reports_page`) by id."""
    rows = _rows(
        db,
        f"select {REPORT_COLUMNS} from reports r left join compliance_sources s on s.source_id = r.source_id "
        "where r.id in (select value from json_each(?))",
        [json.dumps(report_ids)],
    )
    return {r["id"]: r for r in rows}


def report_years(db: Database) -> list[int]:
    """Report years present in the archive, newest first."""
    return [r[0] for r in db.conn.execute("select distinct year from compliance_rollup order by year desc")]


def provinces(db: Database) -> list[str]:
    """The two-digit province codes of judged sources."""
    return [
        r[0]
        for r in db.conn.execute(
            "select distinct province from compliance_rollup where province != '' order by 1"
        )
    ]


# -- a report's versions and archived files ---------------------------------------------------------


def version_texts(db: Database, document_id: int) -> list[dict]:
    """Each archived version of a document with the extracted text of its payload (if any)."""
    return _rows(
        db,
        "select v.seq, v.payload_sha256, v.first_seen_at, v.last_seen_at, v.first_fetch_id, t.text, t.status "
        "from versions v left join texts t on t.sha256 = v.payload_sha256 where v.document_id = ? order by v.seq",
        [document_id],
    )


def iter_verdicts(db: Database, source_ids: list[str], years: tuple[int, int]) -> Iterator[dict]:
    """Full ``compliance`` rows of these sources in ``years``, by source then year (exports)."""
    for i in range(0, len(source_ids), 500):
        yield from db.query(
            "select * from compliance where source_id in (select value from json_each(?)) and year between ? and ? "
            "order by source_id, year",
            [json.dumps(source_ids[i : i + 500]), *years],
        )
