"""End to end: Datasette on a crawled archive with the shipped metadata (crawler/data/datasette.yml).

A small simulated world is crawled one day after a deadline, extracted and checked; then
``datasette serve`` runs on its ``archive.db`` in a subprocess and is asked over HTTP: the canned
``search`` query finds 1-, 2- and ≥ 3-character terms exactly as ``nianbao search`` does, the
``search_docs`` table page warns that its search box needs ≥ 3 characters, every canned query in
the file runs and answers, and every table and column the file names exists in the archive.
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import crawler
from crawler.vocab import words
from tests.simcrawl import crawl, nianbao, query, sim_world

pytestmark = pytest.mark.slow

SEED, AGENCIES, TODAY = 7, 24, date(2025, 4, 10)
METADATA = Path(crawler.__file__).parent / "data" / "datasette.yml"
DB = "archive"
MAIN_TABLES = (
    "reports",
    "report_texts",
    "report_stats",
    "checks",
    "compliance",
    "flags",
    "flag_events",
    "fetches",
    "documents",
    "versions",
    "runs",
    "source_runs",
    "search_docs",
)
COLUMN_KEYS = ("facets", "sortable_columns")  # table keys holding lists of column names
COLUMN_KEY = ("label_column", "sort", "sort_desc")  # table keys holding one column name


def metadata() -> dict[str, Any]:
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


def canned() -> dict[str, dict[str, Any]]:
    return metadata()["databases"][DB]["queries"]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("datasette")
    out = tmp / "data"
    with sim_world(tmp, seed=SEED, agencies=AGENCIES, today=TODAY) as world:
        crawl(world, out, TODAY)
        nianbao("extract", "--data", str(out), "--sources", str(world.sources), now=TODAY)
        nianbao("check", "--data", str(out), "--sources", str(world.sources), now=TODAY)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(data: Path) -> Iterator[str]:
    """``datasette serve`` on the archive with the shipped metadata; its base URL."""
    port = free_port()
    log = data.parent / "datasette.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "datasette",
                "serve",
                str(data / "archive.db"),
                "--metadata",
                str(METADATA),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"datasette exited {proc.returncode}: {log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"datasette did not answer: {log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def get(base: str, path: str, **params: object) -> str:
    url = f"{base}{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        raise AssertionError(
            f"GET {url}: HTTP {exc.code}: {exc.read().decode('utf-8', 'replace')[:2000]}"
        ) from exc


def run_query(base: str, name: str, **params: object) -> dict[str, Any]:
    """A canned query's JSON (rows as objects); fails on a Datasette error."""
    out = json.loads(get(base, f"/{DB}/{name}.json", _shape="objects", **params))
    assert out.get("ok", True) and not out.get("error"), out
    return out


def cli_search(data: Path, term: str) -> set[str]:
    proc = nianbao("search", term, "--data", str(data), "--json", "--limit", "1000")
    return {json.loads(line)["report_id"] for line in proc.stdout.splitlines() if line.strip()}


def partial_term(data: Path, length: int) -> str:
    """A term of ``length`` characters (from an agency name) found in some reports but not all."""
    total = query(data, "select count(*) n from search_docs")[0]["n"]
    names = [r["agency"] for r in query(data, "select distinct agency from search_docs order by agency")]
    for name in names:
        for i in range(len(name) - length + 1):
            term = name[i : i + length]
            n = query(
                data,
                "select count(*) n from search_docs where instr(title, ?) > 0 or instr(text, ?) > 0",
                (term, term),
            )[0]["n"]
            if 0 < n <= total // 2:
                return term
    raise AssertionError(f"no {length}-character term found in only some reports")


def columns(data: Path, table: str) -> set[str]:
    con = sqlite3.connect(f"file:{data / 'archive.db'}?mode=ro", uri=True)
    try:
        return {r[1] for r in con.execute(f"pragma table_info([{table}])")}
    finally:
        con.close()


def named_params(sql: str) -> set[str]:
    """The :names a statement binds (string literals and comments left out, as Datasette does)."""
    bare = re.sub(r"--[^\n]*", "", re.sub(r"'(?:[^']|'')*'", "''", sql))
    return set(re.findall(r"(?<![:\w]):([A-Za-z_]\w*)", bare))


# --- the file itself ---------------------------------------------------------------------------


def test_metadata_names_only_tables_and_columns_that_exist(data):
    meta = metadata()
    assert "1–2" in meta["description"] and "nianbao serve" in meta["description"]
    archive = meta["databases"][DB]
    tables = {
        r["name"] for r in query(data, "select name from sqlite_master where type in ('table', 'view')")
    }
    assert set(MAIN_TABLES) <= set(archive["tables"]), set(MAIN_TABLES) - set(archive["tables"])
    for name, table in archive["tables"].items():
        assert name in tables, f"datasette.yml describes a table the archive lacks: {name}"
        assert table.get("description"), f"{name} has no description"
        have = columns(data, name)
        named = set(table.get("columns", {}))
        for key in COLUMN_KEYS:
            named |= set(table.get(key, []))
        for key in COLUMN_KEY:
            if table.get(key):
                named.add(table[key])
        assert named <= have, f"{name}: datasette.yml names columns the table lacks: {named - have}"
    assert archive["tables"]["search_chars"].get("hidden") is True
    assert "1–2" in archive["tables"]["search_docs"]["description"]


def test_canned_queries_declare_their_parameters_and_follow_the_vocabulary():
    queries = canned()
    assert {
        "search",
        "search_count",
        "verdicts",
        "on_time_rate_by_level",
        "on_time_rate_by_region",
        "open_flags_by_kind",
        "top_agencies",
        "captures",
        "agency_reports",
    } <= set(queries)
    for name, q in queries.items():
        assert q.get("title") and q.get("description"), name
        assert set(q.get("params", [])) == named_params(q["sql"]), name
    for status in words.STATUSES:  # a new status word must reach the on-time tables
        assert f"'{status}'" in queries["on_time_rate_by_level"]["sql"], status
    for column in words.HEADLINE:
        assert f"'{column}'" in queries["top_agencies"]["sql"], column
    for kind in words.FLAG_KINDS:
        assert kind in queries["open_flags"]["description"], kind


# --- Datasette over HTTP --------------------------------------------------------------------------


def test_search_finds_terms_of_any_length_like_nianbao_search(server, data):
    total = query(data, "select count(*) n from search_docs")[0]["n"]
    terms = ["复议", partial_term(data, 1), partial_term(data, 2), "行政复议", partial_term(data, 4)]
    for term in terms:
        rows = run_query(server, "search", term=term)["rows"]
        found = {r["report_id"] for r in rows}
        assert len(found) == len(rows), term  # one row per report
        assert found == cli_search(data, term), term
        assert 0 < len(found) <= total, term
        assert all(r["matches"] == len(rows) for r in rows), term
        assert sum("【" in r["snippet"] for r in rows) >= len(rows) // 2, term
        counts = run_query(server, "search_count", term=term)["rows"]
        assert counts[-1]["report_year"] is None and counts[-1]["reports"] == len(found), term
        assert sum(c["reports"] for c in counts[:-1]) == len(found), term
    # the year filter, and width folding as nianbao search does it (２０２３ is 2023)
    year = run_query(server, "search", term="复议", year=2023)["rows"]
    assert year and {r["report_year"] for r in year} == {2023}
    folded = {r["report_id"] for r in run_query(server, "search", term="２０２３")["rows"]}
    assert folded == cli_search(data, "2023")
    assert run_query(server, "search", term="")["rows"] == []


def test_table_search_box_misses_short_terms_and_the_page_says_so(server, data):
    page = get(server, f"/{DB}/search_docs")
    assert "1–2 个字" in page and "3 or more characters" in page and "nianbao serve" in page
    assert "/archive/search?term=" in page
    # why the warning is there: the trigram search box finds 行政复议 but nothing for 复议
    trigram = json.loads(get(server, f"/{DB}/search_docs.json", _search="行政复议", _size=1))
    assert trigram["filtered_table_rows_count"] == len(cli_search(data, "行政复议")) > 0
    short = json.loads(get(server, f"/{DB}/search_docs.json", _search="复议", _size=1))
    assert short["filtered_table_rows_count"] == 0
    hidden = {t["name"] for t in json.loads(get(server, f"/{DB}.json"))["tables"] if t["hidden"]}
    assert {"search_chars", "search_chars_fts", "search_docs_fts"} <= hidden


def samples(data: Path) -> dict[str, str]:
    """Parameters for every canned query, taken from the archive so each one has rows to show."""
    year, source = next(
        (r["year"], r["source_id"])
        for r in query(
            data,
            "select year, source_id, count(*) over (partition by year) n from compliance "
            "where status in ('late', 'missing') order by n desc, year desc, source_id",
        )
    )
    agency = query(data, "select agency from compliance where source_id = ?", (source,))[0]["agency"]
    report = query(
        data,
        "select r.id from reports r join attachments a on a.report_id = r.id join fetches f on f.url = a.url "
        "where r.own = 1 order by r.id limit 1",
    )[0]["id"]
    kind = query(data, "select kind from flags where state = 'open' group by kind order by count(*) desc")[0]
    region = query(data, "select region from compliance where year = ? and region is not null", (year,))[0]
    return {
        "term": "复议",
        "year": str(year),
        "status": "late,missing",
        "source": source,
        "agency": agency[-4:],
        "report": report,
        "kind": kind["kind"],
        "measure": "reconsideration_total",
        "top": "10",
        "digits": "4",
        "prefix": region["region"][:2],
    }


def test_every_canned_query_runs_and_answers(server, data):
    sample = samples(data)
    for name, q in canned().items():
        missing = [p for p in q.get("params", []) if p not in sample]
        assert not missing, f"add a sample value for {name}'s parameters {missing} to samples()"
        out = run_query(server, name, **{p: sample[p] for p in q.get("params", [])})
        assert out["rows"], f"{name} returned no rows for {sample}"
        assert not out.get("truncated"), name


def test_top_agencies_are_sorted_largest_first(server, data):
    year = samples(data)["year"]
    for measure in words.HEADLINE:
        rows = run_query(server, "top_agencies", year=year, measure=measure, top=50)["rows"]
        values = [r["value"] for r in rows]
        assert values == sorted(values, reverse=True) and len(values) > 1, measure
        assert {r["measure"] for r in rows} == {measure}
        assert len({r["source_id"] for r in rows}) == len(rows), measure  # one row per agency
        best = query(
            data, f"select max({measure}) m from reports where own = 1 and report_year = ?", (int(year),)
        )[0]["m"]
        assert values[0] == best, measure


def test_verdicts_rates_and_flags_agree_with_the_archive(server, data):
    sample = samples(data)
    year = int(sample["year"])
    verdicts = run_query(server, "verdicts", year=year, status="late,missing")["rows"]
    want = query(
        data, "select count(*) n from compliance where year = ? and status in ('late', 'missing')", (year,)
    )
    assert len(verdicts) == want[0]["n"] > 0
    assert all(v["status"] in ("late", "missing") and v["deadline"] and v["reason"] for v in verdicts)
    assert all(v["published_at_source"] for v in verdicts if v["status"] == "late")
    by_level = run_query(server, "on_time_rate_by_level", year=year)["rows"]
    by_region = run_query(server, "on_time_rate_by_region", year=year, digits=2)["rows"]
    everything = query(data, "select count(*) n from compliance where year = ?", (year,))[0]["n"]
    assert sum(r["verdicts"] for r in by_level) == sum(r["verdicts"] for r in by_region) == everything
    assert all(len(r["region_prefix"]) <= 2 for r in by_region)
    assert all(r["on_time_pct"] is None or 0 <= r["on_time_pct"] <= 100 for r in by_level)
    kinds = run_query(server, "open_flags_by_kind")["rows"]
    open_flags = query(data, "select count(*) n from flags where state = 'open'")[0]["n"]
    assert sum(r["open_flags"] for r in kinds) == open_flags > 0
    late = run_query(server, "open_flags", kind="late")["rows"]
    assert late and {r["kind"] for r in late} == {"late"}


def test_captures_and_evidence_lead_to_warc_records(server, data):
    sample = samples(data)
    captures = run_query(server, "captures", report=sample["report"])["rows"]
    assert {c["part"] for c in captures} >= {"page"} and len({c["url"] for c in captures}) > 1
    evidence = run_query(server, "verdict_evidence", source=sample["source"], year=sample["year"])["rows"]
    assert evidence
    for row in [*captures, *evidence]:
        assert row["fetch_id"] and row["payload_sha256"] and row["warc_file"], row
        assert (data / "warc" / row["warc_file"]).is_file(), row["warc_file"]
    by_url = run_query(server, "captures", report=captures[0]["url"])["rows"]
    assert {c["fetch_id"] for c in by_url} == {
        c["fetch_id"] for c in captures if c["url"] == captures[0]["url"]
    }
    reports = run_query(server, "agency_reports", agency=sample["source"])["rows"]
    assert reports and {r["source_id"] for r in reports} == {sample["source"]}
