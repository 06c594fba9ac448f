"""Read what verdicts are judged on, and write verdicts, flags and the flag history.

Inputs come out in bulk, one query per table, grouped in Python, so a check over 100,000
sources never issues per-source queries.  The decision itself lives in
:mod:`crawler.compliance.verdicts` (pure functions); this module only moves rows into the
plain records of :mod:`crawler.vocab.records`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlite_utils import Database

from crawler.vocab.records import ArchivedReport, Capture, Page, VersionText
from crawler.vocab.years import parse_years
from storage.compliance_rollups import refresh_rollups
from storage.fetches import insert_row

# One row per (run, source, listing page); the run's --years from runs.args; per snapshot, how
# many listed links are unidentified (no report of a known year, never read) and which years of
# the source's own reports it linked to.
_CAPTURE_SQL = """
with listed as (
    select s.id as snap, j.value as url from listing_snapshots s, json_each(s.report_urls) j
    where s.status = 'ok' {where}
),
judged as (
    select l.snap,
           sum(case when r.id is null and d.id is null then 1
                    when r.id is not null and r.report_year is null and r.own = 1 then 1 else 0 end) as unidentified,
           json_group_array(distinct case when r.own = 1 then r.report_year end) as years
    from listed l join listing_snapshots s on s.id = l.snap
    left join reports r on r.source_id = s.source_id and r.url = l.url
    left join documents d on d.url = l.url
    group by l.snap
)
select s.source_id, s.run_id, s.url, s.fetch_id, s.basis_fetch_id, s.fetched_at, s.status, s.items,
       sr.status as run_status, ru.args, coalesce(j.unidentified, 0) as unidentified, j.years
from listing_snapshots s
join source_runs sr on sr.run_id = s.run_id and sr.source_id = s.source_id
join runs ru on ru.id = s.run_id
left join judged j on j.snap = s.id
where 1 {where}
order by s.source_id, s.run_id, s.id
"""


def _years_arg(args: str | None) -> tuple[int, int] | None:
    try:
        spec = json.loads(args or "{}").get("years")
    except ValueError:
        return None
    try:
        return parse_years(spec) if spec else None
    except ValueError:
        return None


def _in(column: str, values: list[str] | None) -> tuple[str, list]:
    if not values:
        return "", []
    return f" and {column} in ({', '.join('?' * len(values))})", list(values)


def load_captures(db: Database, source_ids: list[str] | None = None) -> dict[str, list[Capture]]:
    """source id → its crawl runs, each with the listing pages it read (oldest run first)."""
    where, args = _in("s.source_id", source_ids)
    out: dict[str, list[Capture]] = defaultdict(list)
    current: dict | None = None

    def flush() -> None:
        if current is not None:
            out[current["source"]].append(
                Capture(
                    run_id=current["run"],
                    at=min(current["times"]),
                    status=current["status"],
                    listed_years=frozenset(current["years"]),
                    unidentified=current["unidentified"],
                    years=current["years_arg"],
                    pages=tuple(current["pages"]),
                )
            )

    years_args: dict[str | None, tuple[int, int] | None] = {}  # runs.args -> --years (a handful of runs)
    # plain tuples (no dict per row): the columns of _CAPTURE_SQL in order
    for (
        source_id,
        run_id,
        url,
        fetch_id,
        basis_fetch_id,
        fetched_at,
        status,
        items,
        run_status,
        run_args,
        unidentified,
        years,
    ) in db.conn.execute(_CAPTURE_SQL.format(where=where), args * 2):
        if current is None or run_id != current["run"] or source_id != current["source"]:
            flush()
            if run_args not in years_args:
                years_args[run_args] = _years_arg(run_args)
            current = {
                "source": source_id,
                "run": run_id,
                "status": run_status,
                "times": [],
                "years": set(),
                "unidentified": 0,
                "pages": [],
                "years_arg": years_args[run_args],
            }
        current["times"].append(datetime.fromisoformat(fetched_at))
        current["unidentified"] += unidentified
        if years and years != "[null]":
            current["years"].update(y for y in json.loads(years) if y is not None)
        current["pages"].append(Page(fetch_id, url, fetched_at, status, items or 0, basis_fetch_id))
    flush()
    return out


def load_reports(db: Database, source_ids: list[str] | None = None) -> dict[str, list[ArchivedReport]]:
    """source id → its own reports of a known year."""
    where, args = _in("source_id", source_ids)
    out: dict[str, list[ArchivedReport]] = defaultdict(list)
    sql = (
        "select id, source_id, report_year, url, title, first_seen_at, first_fetch_id, date_candidates "
        "from reports where own = 1 and report_year is not null and coalesce(exclusion, '') = ''" + where
    )
    parse, loads = datetime.fromisoformat, json.loads
    for rid, source_id, year, url, title, first_seen_at, first_fetch_id, cands in db.conn.execute(sql, args):
        out[source_id].append(
            ArchivedReport(
                rid,
                year,
                url,
                title,
                parse(first_seen_at),
                first_fetch_id,
                tuple(loads(cands)) if cands else (),
            )
        )
    return out


# -- verdicts ------------------------------------------------------------------------------------


def save_verdicts(db: Database, verdicts: Iterable[dict], checked_at: str) -> int:
    """Replace the stored verdicts of the given (source, year) pairs; returns how many."""
    n = 0
    touched: set[str] = set()
    with db.conn:
        for v in verdicts:
            db.conn.execute(
                "insert or replace into compliance (source_id, year, agency, level, region, kind, status, "
                "deadline, deadline_basis, grace_days, published_at, published_at_source, first_seen_at, "
                "confidence, reason, reason_zh, report_id, report_url, title, as_of, evidence, checked_at) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    v["source"],
                    v["year"],
                    v["agency"],
                    v["level"],
                    v["region"],
                    v["kind"],
                    v["status"],
                    v["deadline"],
                    v["deadline_basis"],
                    v["grace_days"],
                    v["published_at"],
                    v["published_at_source"],
                    v["first_seen_at"],
                    v["confidence"],
                    v["reason"],
                    v["reason_zh"],
                    v["report"],
                    v["report_url"],
                    v["title"],
                    v["as_of"],
                    json.dumps(v["evidence"], ensure_ascii=False),
                    checked_at,
                ],
            )
            touched.add(v["source"])
            n += 1
        if touched:
            refresh_rollups(db, sorted(touched))
    return n


def verdict_from_row(row: dict) -> dict:
    """A ``compliance`` row in the JSON shape of ``nianbao check --json``."""
    return {
        "source": row["source_id"],
        "agency": row["agency"],
        "level": row["level"],
        "region": row["region"],
        "kind": row["kind"],
        "year": row["year"],
        "status": row["status"],
        "deadline": row["deadline"],
        "deadline_basis": row["deadline_basis"],
        "grace_days": row["grace_days"],
        "published_at": row["published_at"],
        "published_at_source": row["published_at_source"],
        "first_seen_at": row["first_seen_at"],
        "confidence": row["confidence"],
        "reason": row["reason"],
        "reason_zh": row["reason_zh"],
        "report": row["report_id"],
        "report_url": row["report_url"],
        "title": row["title"],
        "as_of": row["as_of"],
        "evidence": json.loads(row["evidence"] or "[]"),
    }


def stored_verdicts(
    db: Database,
    *,
    year: int | None = None,
    source_ids: list[str] | None = None,
    level: str | None = None,
    region: str | None = None,
) -> Iterator[dict]:
    """Stored verdicts (latest check), ordered by source and year; ``region`` is a code prefix."""
    where, args = _in("source_id", source_ids)
    for clause, value in (("year = ?", year), ("level = ?", level), ("region like ? || '%'", region)):
        if value is not None:
            where += f" and {clause}"
            args.append(value)
    for row in db.query(f"select * from compliance where 1 {where} order by source_id, year", args):
        yield verdict_from_row(row)


# -- flags ---------------------------------------------------------------------------------------

FLAG_JSON = ("evidence", "detail")


def _flag_out(row: dict) -> dict:
    out = dict(row)
    for k in FLAG_JSON:
        out[k] = json.loads(row[k]) if row.get(k) else ([] if k == "evidence" else {})
    out["source"] = out.pop("source_id")
    out["report"] = out.pop("report_id")
    return out


def flags_by_key(db: Database) -> dict[str, dict]:
    """Every flag (open and closed), by key."""
    return {r["key"]: r for r in db.query("select * from flags")}


def query_flags(
    db: Database,
    *,
    kind: str | None = None,
    year: int | None = None,
    agency: str | None = None,
    source: str | None = None,
    state: str | None = "open",
) -> list[dict]:
    """Flags as in ``nianbao flags --json`` (open ones by default), newest first."""
    where, args = ["1"], []
    for column, value in (("kind", kind), ("year", year), ("state", state), ("source_id", source)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    if agency:
        where.append("agency like ?")
        args.append(f"%{agency}%")
    sql = f"select * from flags where {' and '.join(where)} order by updated_at desc, id desc"
    return [_flag_out(r) for r in db.query(sql, args)]


def insert_flag(db: Database, row: dict) -> int:
    data = {k: (json.dumps(v, ensure_ascii=False) if k in FLAG_JSON else v) for k, v in row.items()}
    return insert_row(db, "flags", data)


def update_flag(db: Database, flag_id: int, row: dict) -> None:
    data = {k: (json.dumps(v, ensure_ascii=False) if k in FLAG_JSON else v) for k, v in row.items()}
    db.conn.execute(
        f"update flags set {', '.join(f'[{k}] = ?' for k in data)} where id = ?", [*data.values(), flag_id]
    )


def add_event(db: Database, row: dict) -> int:
    return insert_row(db, "flag_events", row)


def _event_out(row: dict) -> dict:
    out = dict(row)
    out["source"] = out.pop("source_id")
    out["report"] = out.pop("report_id")
    return out


def pending_events(db: Database) -> list[dict]:
    """Flag events not yet delivered, oldest first."""
    return [
        _event_out(r) for r in db.query("select * from flag_events where notified_at is null order by id")
    ]


def recent_events(db: Database, limit: int = 500) -> list[dict]:
    """The newest flag events (for the Atom feed)."""
    return [_event_out(r) for r in db.query("select * from flag_events order by id desc limit ?", [limit])]


def mark_notified(db: Database, event_ids: list[int], at: str) -> None:
    with db.conn:
        db.conn.executemany(
            "update flag_events set notified_at = ? where id = ?", [(at, i) for i in event_ids]
        )


def flag_history(db: Database, flag_id: int) -> list[dict]:
    return [
        _event_out(r) for r in db.query("select * from flag_events where flag_id = ? order by id", [flag_id])
    ]


_VERSIONS_SQL = """
with parts as (
    select r.id as report_id, r.document_id as doc from reports r
    where r.own = 1 and r.report_year is not null and r.document_id is not null {where}
    union
    select r.id, d.id from reports r join attachments a on a.report_id = r.id join documents d on d.url = a.url
    where r.own = 1 and r.report_year is not null {where}
),
multi as (select document_id from versions group by document_id having count(*) > 1)
select p.report_id, d.url, v.seq, v.first_seen_at, v.last_seen_at, v.first_fetch_id, v.last_fetch_id,
       case when t.status = 'ok' then t.text end as text
from parts p join multi m on m.document_id = p.doc
join documents d on d.id = p.doc
join versions v on v.document_id = p.doc
left join texts t on t.sha256 = v.payload_sha256
order by p.report_id, d.url, v.seq
"""


def load_versions(
    db: Database, source_ids: list[str] | None = None
) -> dict[str, dict[str, list[VersionText]]]:
    """report id → document URL → its versions with extracted text, for documents with > 1 version."""
    where, args = _in("r.source_id", source_ids)
    out: dict[str, dict[str, list[VersionText]]] = defaultdict(lambda: defaultdict(list))
    for row in db.query(_VERSIONS_SQL.format(where=where), args * 2):
        out[row["report_id"]][row["url"]].append(
            VersionText(
                row["url"],
                row["seq"],
                row["first_seen_at"],
                row["last_seen_at"],
                row["first_fetch_id"],
                row["last_fetch_id"],
                row["text"],
            )
        )
    return out


def report_facts(db: Database, report_ids: list[str]) -> dict[str, dict]:
    """id → source_id, report_year, title, url of the given reports."""
    out = {}
    for i in range(0, len(report_ids), 500):
        chunk = report_ids[i : i + 500]
        sql = f"select id, source_id, report_year, title, url from reports where id in ({', '.join('?' * len(chunk))})"
        out.update({r["id"]: r for r in db.query(sql, chunk)})
    return out


def flag_key_of(db: Database, flag_id: int) -> str | None:
    """The key of flag number ``flag_id`` (None when there is none)."""
    rows = list(db.query("select key from flags where id = ?", [flag_id]))
    return rows[0]["key"] if rows else None


def has_flag(db: Database, key: str) -> bool:
    return bool(list(db.query("select 1 from flags where key = ?", [key])))


def has_verdict(db: Database, source_id: str, year: int) -> bool:
    return bool(
        list(db.query("select 1 from compliance where source_id = ? and year = ?", [source_id, year]))
    )
