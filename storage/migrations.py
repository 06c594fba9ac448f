"""Numbered, idempotent schema migrations of ``archive.db`` (one place for the schema).

Applied at every open; an old archive opens with a new version.  Never edit a migration that
has shipped: add a new one.
"""

from __future__ import annotations

import json

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from crawler.vocab.urls import canonical_url, report_id
from storage.compliance_rollups import refresh_rollups
from storage.health import rebuild_summaries

migrations = Migrations("nianbao")


@migrations(name="0001_initial")
def initial(db: Database) -> None:
    """Runs, fetches (every HTTP exchange), documents, versions, reports, listing snapshots."""
    db.table("runs").create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "command": str,
            "args": str,
            "stats": str,
            "version": str,
        },
        pk="id",
    )
    db.table("fetches").create(
        {
            "id": int,
            "run_id": int,
            "source_id": str,
            "url": str,
            "method": str,
            "kind": str,
            "status": int,
            "fetched_at": str,
            "content_type": str,
            "size": int,
            "payload_sha256": str,
            "record_type": str,
            "warc_file": str,
            "warc_offset": int,
            "warc_length": int,
            "etag": str,
            "last_modified": str,
            "error": str,
            "block": str,
            "redirect_to": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db.table("fetches").create_index(["url"])
    db.table("fetches").create_index(["payload_sha256"])
    db.table("fetches").create_index(["source_id", "fetched_at"])
    db.table("fetches").create_index(["run_id"])
    db.table("documents").create(
        {
            "id": int,
            "url": str,
            "kind": str,
            "source_id": str,
            "first_seen_at": str,
            "last_seen_at": str,
            "last_checked_at": str,
            "gone_since": str,
            "etag": str,
            "last_modified": str,
            "sha256": str,
            "payload_sha256": str,
            "content_type": str,
            "last_fetch_id": int,
        },
        pk="id",
        not_null={"url", "kind", "first_seen_at"},
    )
    db.table("documents").create_index(["url"], unique=True)
    db.table("documents").create_index(["source_id"])
    db.table("versions").create(
        {
            "id": int,
            "document_id": int,
            "seq": int,
            "sha256": str,
            "payload_sha256": str,
            "size": int,
            "content_type": str,
            "first_seen_at": str,
            "last_seen_at": str,
            "first_fetch_id": int,
            "last_fetch_id": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("versions").create_index(["document_id", "seq"], unique=True)
    db.table("versions").create_index(["sha256"])
    db.table("reports").create(
        {
            "id": str,
            "source_id": str,
            "agency": str,
            "agency_source": str,
            "own": int,
            "report_year": int,
            "title": str,
            "url": str,
            "document_id": int,
            "listing_url": str,
            "published_at": str,
            "published_at_source": str,
            "date_candidates": str,
            "first_seen_at": str,
            "last_seen_at": str,
            "first_fetch_id": int,
            "format": str,
            "cms": str,
            "exclusion": str,
        },
        pk="id",
    )
    db.table("reports").create_index(["source_id", "report_year"])
    db.table("reports").create_index(["url"])
    db.table("attachments").create(
        {"id": int, "report_id": str, "url": str, "text": str, "document_id": int, "file_type": str},
        pk="id",
    )
    db.table("attachments").create_index(["report_id", "url"], unique=True)
    db.table("listing_snapshots").create(
        {
            "id": int,
            "run_id": int,
            "source_id": str,
            "column_url": str,
            "url": str,
            "fetch_id": int,
            "fetched_at": str,
            "status": str,
            "items": int,
            "report_urls": str,
            "basis_fetch_id": int,
        },
        pk="id",
    )
    db.table("listing_snapshots").create_index(["source_id", "fetched_at"])
    db.table("source_runs").create(
        {
            "run_id": int,
            "source_id": str,
            "status": str,
            "listing_pages": int,
            "listing_ok": int,
            "blocked": int,
            "errors": int,
            "reports_seen": int,
            "reports_new": int,
            "detail": str,
        },
        pk=("run_id", "source_id"),
    )


@migrations(name="0002_texts")
def texts(db: Database) -> None:
    """Extracted text keyed by payload SHA-256, and each report's searchable full text."""
    db.table("texts").create(
        {
            "sha256": str,
            "status": str,
            "error": str,
            "extractor": str,
            "extractor_version": str,
            "ocr": int,
            "pages": int,
            "chars": int,
            "file_type": str,
            "text": str,
            "original": str,
            "tables": str,
            "extracted_at": str,
        },
        pk="sha256",
    )
    db.table("texts").create_index(["status"])
    db.table("report_texts").create(
        {
            "report_id": str,
            "title": str,
            "agency": str,
            "report_year": int,
            "level": str,
            "region": str,
            "source_id": str,
            "text": str,
            "original": str,
            "parts": str,
            "updated_at": str,
        },
        pk="report_id",
    )


@migrations(name="0003_search")
def search(db: Database) -> None:
    """Full-text search over ``report_texts`` (title + text), filled by ``storage.search.index_reports``.

    * ``search_docs``: one row per report (stable INTEGER id, copy of title/text/metadata);
    * ``search_docs_fts``: FTS5 **trigram** index (title, text) for terms of ≥ 3 characters;
    * ``search_chars`` + ``search_chars_fts``: the per-character form ("行 政 复 议") under
      FTS5 **unicode61** for terms of 1–2 characters. Chinese punctuation is kept as tokens so
      a phrase never matches across ，。;
    * triggers keep each FTS index in step with its content table.

    Metadata columns come before ``text`` so filters never read a row's overflow pages.
    """
    for statement in (
        """
        CREATE TABLE IF NOT EXISTS search_docs (
            id INTEGER PRIMARY KEY, report_id TEXT NOT NULL UNIQUE, agency TEXT,
            report_year INTEGER, level TEXT, region TEXT, source_id TEXT, updated_at TEXT,
            indexed_at TEXT, title TEXT, text TEXT
        )
        """,
        """
        CREATE INDEX IF NOT EXISTS search_docs_year ON search_docs(report_year)
        """,
        """
        CREATE TABLE IF NOT EXISTS search_chars (
            id INTEGER PRIMARY KEY, title_chars TEXT, text_chars TEXT
        )
        """,
        """
        CREATE VIRTUAL TABLE IF NOT EXISTS search_docs_fts USING fts5(
            title, text, content="search_docs", content_rowid="id", tokenize="trigram"
        )
        """,
        """
        CREATE VIRTUAL TABLE IF NOT EXISTS search_chars_fts USING fts5(
            title_chars, text_chars, content="search_chars", content_rowid="id",
            tokenize="unicode61 remove_diacritics 0 tokenchars '，。、；：？！'"
        )
        """,
        """
        CREATE TRIGGER IF NOT EXISTS search_docs_ai AFTER INSERT ON search_docs BEGIN
            INSERT INTO search_docs_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS search_docs_ad AFTER DELETE ON search_docs BEGIN
            INSERT INTO search_docs_fts(search_docs_fts, rowid, title, text)
                VALUES ('delete', old.id, old.title, old.text);
        END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS search_docs_au AFTER UPDATE ON search_docs
        WHEN old.title IS NOT new.title OR old.text IS NOT new.text BEGIN
            INSERT INTO search_docs_fts(search_docs_fts, rowid, title, text)
                VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO search_docs_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS search_chars_ai AFTER INSERT ON search_chars BEGIN
            INSERT INTO search_chars_fts(rowid, title_chars, text_chars)
                VALUES (new.id, new.title_chars, new.text_chars);
        END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS search_chars_ad AFTER DELETE ON search_chars BEGIN
            INSERT INTO search_chars_fts(search_chars_fts, rowid, title_chars, text_chars)
                VALUES ('delete', old.id, old.title_chars, old.text_chars);
        END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS search_chars_au AFTER UPDATE ON search_chars
        WHEN old.title_chars IS NOT new.title_chars OR old.text_chars IS NOT new.text_chars BEGIN
            INSERT INTO search_chars_fts(search_chars_fts, rowid, title_chars, text_chars)
                VALUES ('delete', old.id, old.title_chars, old.text_chars);
            INSERT INTO search_chars_fts(rowid, title_chars, text_chars)
                VALUES (new.id, new.title_chars, new.text_chars);
        END
        """,
    ):
        db.execute(statement)


@migrations(name="0004_compliance")
def compliance(db: Database) -> None:
    """Verdicts per (source, report year), flags with their lifecycle, and the flag history.

    * ``compliance``: the latest verdict of each (source, year) — status, deadline and basis,
      publication date and where it came from, confidence, reason, evidence (JSON list);
    * ``flags``: one row per claim (``key``: ``compliance:<source>:<year>`` for missing/late,
      ``edited:<report>``, …), open or closed; ``fingerprint`` is what a state change is
      measured on (a new capture alone does not re-notify);
    * ``flag_events``: append-only history (opened, updated, closed, reopened), each delivered
      once (``notified_at``).
    """
    db.table("compliance").create(
        {
            "source_id": str,
            "year": int,
            "agency": str,
            "level": str,
            "region": str,
            "kind": str,
            "status": str,
            "deadline": str,
            "deadline_basis": str,
            "grace_days": int,
            "published_at": str,
            "published_at_source": str,
            "first_seen_at": str,
            "confidence": str,
            "reason": str,
            "reason_zh": str,
            "report_id": str,
            "report_url": str,
            "title": str,
            "as_of": str,
            "evidence": str,
            "checked_at": str,
        },
        pk=("source_id", "year"),
    )
    db.table("compliance").create_index(["status"])
    db.table("flags").create(
        {
            "id": int,
            "key": str,
            "kind": str,
            "source_id": str,
            "agency": str,
            "year": int,
            "report_id": str,
            "state": str,
            "summary": str,
            "summary_zh": str,
            "url": str,
            "evidence": str,
            "detail": str,
            "fingerprint": str,
            "opened_at": str,
            "updated_at": str,
            "closed_at": str,
        },
        pk="id",
        not_null={"key", "kind", "state"},
    )
    db.table("flags").create_index(["key"], unique=True)
    db.table("flags").create_index(["state", "kind"])
    db.table("flag_events").create(
        {
            "id": int,
            "flag_id": int,
            "at": str,
            "event": str,
            "kind": str,
            "previous_kind": str,
            "source_id": str,
            "agency": str,
            "year": int,
            "report_id": str,
            "summary": str,
            "summary_zh": str,
            "url": str,
            "notified_at": str,
        },
        pk="id",
        foreign_keys=[("flag_id", "flags", "id")],
    )
    db.table("flag_events").create_index(["flag_id"])
    db.table("flag_events").create_index(["notified_at"])


@migrations(name="0005_stats")
def stats(db: Database) -> None:
    """Statistics parsed from report tables and text, and the consistency checks.

    * ``reports`` gains the headline numbers of DESIGN §7 (exact values only; approximate ones
      stay in ``report_stats`` with status ``approximate``), ``stats_json`` (every labelled
      quantity with its source) and when/with which version it was analysed;
    * ``report_stats``: every table cell in long form (table A/B/C or ``text``, row, column,
      value, the raw cell text, status number|blank|na|text|approximate);
    * ``checks``: one row per report and rule (B1–B5, C1–C4, A1–A3, T1–T3, S1–S3) with result
      pass|fail|uncertain, severity, operands (JSON) and a message.
    """
    for column, kind in (
        ("proactive_disclosures", float),
        ("requests_received", float),
        ("requests_carried_over", float),
        ("reconsideration_total", float),
        ("litigation_total", float),
        ("stats_json", str),
        ("analysed_at", str),
        ("stats_version", str),
    ):
        if column not in db.table("reports").columns_dict:
            db.table("reports").add_column(column, kind)
    db.table("report_stats").create(
        {"report_id": str, "tbl": str, "row": str, "col": str, "value": float, "raw": str, "status": str},
        pk=("report_id", "tbl", "row", "col"),
    )
    db.table("checks").create(
        {"report_id": str, "rule": str, "result": str, "severity": str, "operands": str, "message": str},
        pk=("report_id", "rule"),
    )
    db.table("checks").create_index(["rule", "result"])


@migrations(name="0006_source_state")
def source_state(db: Database) -> None:
    """Operator state of sources: switched off (or on) without editing the registry file.

    * ``source_state``: one row per source the operator switched — ``enabled`` 0/1 overrides the
      registry's ``enabled``; ``reason``, ``changed_at`` (ISO timestamp) and ``changed_by`` (the
      command and user) say why, when and who.  No row: the registry decides.
    """
    db.table("source_state").create(
        {"source_id": str, "enabled": int, "reason": str, "changed_at": str, "changed_by": str},
        pk="source_id",
        not_null={"enabled"},
    )


@migrations(name="0007_canonical_urls")
def canonical_urls(db: Database) -> None:
    """One URL identity (crawler.vocab.urls): every stored URL in its canonical form, the rows an
    older crawl kept twice — a link as written on the page (raw Chinese characters, spaces) and
    as fetched (percent-encoded) — folded into one, and reports re-keyed to the id of their
    canonical URL, with every row that points at them."""
    conn = db.conn
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}

    def columns(table: str) -> set[str]:
        return {r[1] for r in conn.execute(f"pragma table_info([{table}])")}

    def canon(url: str | None) -> str | None:
        return canonical_url(url) if url and "://" in url else url

    # documents: a raw twin is folded into the canonical row (the one Scrapy fetched)
    docs = dict(conn.execute("select url, id from documents"))
    for url, doc_id in list(docs.items()):
        new = canon(url)
        if new == url:
            continue
        keep = docs.get(new)
        if keep is None:
            conn.execute("update documents set url = ? where id = ?", (new, doc_id))
            docs[new] = doc_id
        else:
            for table in ("versions", "reports", "attachments"):
                conn.execute(
                    f"update or ignore {table} set document_id = ? where document_id = ?", (keep, doc_id)
                )
            conn.execute("delete from versions where document_id = ?", (doc_id,))
            conn.execute("delete from documents where id = ?", (doc_id,))
        del docs[url]

    # reports: re-keyed to the id of their canonical URL; a twin already there absorbs the row
    children = [t for t in sorted(tables) if t != "reports" and "report_id" in columns(t)]
    for rid, source_id, url in conn.execute("select id, source_id, url from reports").fetchall():
        new_url = canon(url)
        if new_url is None or new_url == url:
            continue
        new_id = report_id(source_id, new_url)
        if conn.execute("select 1 from reports where id = ?", (new_id,)).fetchone():
            conn.execute("delete from reports where id = ?", (rid,))
        else:
            conn.execute("update reports set id = ?, url = ? where id = ?", (new_id, new_url, rid))
        for table in children:
            conn.execute(f"update or ignore [{table}] set report_id = ? where report_id = ?", (new_id, rid))
            conn.execute(f"delete from [{table}] where report_id = ?", (rid,))

    # attachments: one row per report and canonical URL, keeping the fetched one's document
    for row_id, rid, url, doc_id in conn.execute(
        "select id, report_id, url, document_id from attachments"
    ).fetchall():
        new = canon(url)
        if new == url:
            continue
        twin = conn.execute(
            "select id, document_id from attachments where report_id = ? and url = ?", (rid, new)
        ).fetchone()
        if twin is None:
            conn.execute("update attachments set url = ? where id = ?", (new, row_id))
        else:
            conn.execute(
                "update attachments set document_id = coalesce(document_id, ?) where id = ?",
                (doc_id, twin[0]),
            )
            conn.execute("delete from attachments where id = ?", (row_id,))

    # every other URL column: rewritten in place
    plain = {
        "fetches": ("url", "redirect_to"),
        "reports": ("listing_url",),
        "listing_snapshots": ("url", "column_url"),
        "compliance": ("report_url",),
        "flags": ("url",),
        "flag_events": ("url",),
    }
    for table, cols in plain.items():
        for col in (c for c in cols if table in tables and c in columns(table)):
            for (url,) in conn.execute(
                f"select distinct [{col}] from [{table}] where [{col}] like '%://%'"
            ).fetchall():
                if (new := canon(url)) != url:
                    conn.execute(f"update [{table}] set [{col}] = ? where [{col}] = ?", (new, url))
    if "listing_snapshots" in tables and "report_urls" in columns("listing_snapshots"):
        for snap_id, urls in conn.execute(
            "select id, report_urls from listing_snapshots where report_urls like '[%'"
        ).fetchall():
            listed = json.loads(urls)
            fixed = [canon(u) for u in listed]
            if fixed != listed:
                conn.execute(
                    "update listing_snapshots set report_urls = ? where id = ?",
                    (json.dumps(fixed, ensure_ascii=False), snap_id),
                )


@migrations(name="0008_manifests")
def manifests(db: Database) -> None:
    """The tamper-evident chain (storage.manifests): one row per sealed manifest — its position,
    the run that sealed it, the previous manifest's SHA-256, the SHA-256 of its record list and
    of its header, and the range of fetch ids it covers."""
    db.table("manifests").create(
        {
            "seq": int,
            "run_id": int,
            "created_at": str,
            "prev_sha256": str,
            "records_sha256": str,
            "sha256": str,
            "first_fetch_id": int,
            "last_fetch_id": int,
            "records": int,
        },
        pk="seq",
        not_null={"sha256", "records_sha256", "first_fetch_id", "last_fetch_id"},
    )


@migrations(name="0009_source_summary")
def source_summary(db: Database) -> None:
    """One row per source: the crawl's summary of its history for health (storage.health), so
    ``status`` and the scheduler read one row per source instead of every run; filled from
    ``source_runs`` once here, then kept by every ``source_runs`` write."""
    db.execute(
        "create table if not exists source_summary (source_id text primary key, judged_run integer, "
        "judged_at text, judged_status text, judged_seen integer, last_success text, streak integer not null, "
        "tail text not null, times text not null, ok text not null, latest_run integer, latest_at text, "
        "latest_status text, latest_seen integer)"
    )
    rebuild_summaries(db)


@migrations(name="0010_compliance_rollups")
def compliance_rollups(db: Database) -> None:
    """What the compliance grid pages and rolls up over, kept by every ``save_verdicts``:

    * ``compliance_sources``: one row per judged source (agency, level, region, kind) with its
      verdict counts by status over all years and ``claims`` (late + missing + not_online), so a
      page of 50 agencies out of 100,000 is one indexed query instead of a group-by of every verdict;
    * ``compliance_rollup``: verdict counts by (year, level, province code, kind, status).
    """
    db.execute(
        "create table if not exists compliance_sources (source_id text primary key, agency text, level text, "
        "region text, kind text, on_time integer, late integer, missing integer, not_online integer, "
        "pending integer, unknown integer, claims integer)"
    )
    db.execute("create index if not exists compliance_sources_agency on compliance_sources(agency)")
    db.execute("create index if not exists compliance_sources_claims on compliance_sources(claims)")
    db.execute(
        "create table if not exists compliance_rollup (year integer, level text, province text, kind text, "
        "status text, n integer)"
    )
    db.execute("create index if not exists compliance_year_status on compliance(year, status)")
    refresh_rollups(db)


@migrations(name="0011_browse_indexes")
def browse_indexes(db: Database) -> None:
    """Indexes the web UI's pages need at 100,000 agencies (bench/serve.py): the newest verdict
    time, flags by state and recency, by source and by every list filter, the grid's filter by
    status and year, its page of agencies in name order, a source's runs and the newest reports."""
    for sql in (
        "create index if not exists compliance_as_of on compliance(as_of)",
        "create index if not exists compliance_checked_at on compliance(checked_at)",
        "create index if not exists compliance_status_year_source on compliance(status, year, source_id)",
        "create index if not exists compliance_sources_page on compliance_sources(agency, source_id, level, region, kind)",
        "create index if not exists flags_updated on flags(updated_at)",
        "create index if not exists flags_state_updated on flags(state, updated_at)",
        "create index if not exists flags_source on flags(source_id)",
        "create index if not exists flags_state_filters on flags(state, kind, year, source_id, agency, updated_at)",
        "create index if not exists source_runs_source on source_runs(source_id, run_id)",
        "create index if not exists reports_first_seen on reports(first_seen_at)",
    ):
        db.execute(sql)


@migrations(name="0012_originality")
def originality(db: Database) -> None:
    """One row per report and comparison kind (previous_year | other_body): the report it reuses
    most, the containment overall and per section (JSON), the reused passages (JSON)."""
    db.execute(
        "create table if not exists originality (report_id text not null, kind text not null, "
        "compared_report_id text, reuse real not null, sections text not null, passages text not null, "
        "leaked_names text not null default '[]', computed_at text not null, version text not null, "
        "primary key (report_id, kind))"
    )
    db.execute("create index if not exists originality_reuse on originality(reuse)")
