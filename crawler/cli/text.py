"""``nianbao extract``, ``search``, ``show`` and ``parse``: the text side of the archive."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from crawler.cli.errors import fail
from crawler.cli.options import (
    archive_sources_option,
    command_line,
    data_option,
    extract_options,
    extract_settings,
    live_progress,
    output_options,
    say_waiting,
    sources_option,
)
from crawler.vocab.errors import UsageError
from crawler.vocab.text import cell_text


@click.command()
@data_option
@sources_option
@click.option(
    "--all", "redo", is_flag=True, help="Re-extract everything an older extractor version produced."
)
@extract_options
def extract(data, sources, redo, workers, timeout, memory_mb, no_ocr) -> None:
    """Extract clean text from archived pages and attachments, then index report texts.

    Turns every archived detail page and attachment that has no text yet into clean text (--all:
    also redo what an older extractor version produced): HTML main content with tables expanded,
    PDF text layers with pages without one OCR'd by Tesseract chi_sim, DOCX, DOC/WPS through
    LibreOffice, RTF, XLS/XLSX, OFD. Each file runs in one of --workers worker processes with a
    per-file --timeout and a --memory-mb cap: a hung or crashing file is recorded as timeout or
    error and the others go on; a file needing a tool that is not installed is recorded
    needs_ocr or needs_tool instead of guessed. Results are stored in archive.db (table texts).

    Then builds each report's full text (page + continuation pages + attachments) and the search
    index (nianbao search), and analyses every report whose text changed: template format, the
    standard tables, headline numbers and consistency checks (nianbao show, nianbao export).

    Waits while another process holds the extract or check stage lock of the data directory.
    Shows a live progress line on a terminal and one summary line on stderr.
    """
    from crawler.stages.run import extract_stage

    progress, clear = live_progress("extract")
    summary = extract_stage(
        data,
        sources=sources,
        redo=redo,
        options=extract_settings(workers, timeout, memory_mb, no_ocr),
        progress=progress,
        on_wait=say_waiting,
        command=command_line() or "extract",
    )
    click.echo(clear + summary.line(), err=True)


@click.command()
@click.argument("query")
@data_option
@archive_sources_option
@click.option("--agency", help="Agency name contains this.")
@click.option("--year", type=int, help="Report year.")
@click.option("--level", help="Source level (county, city_dept, …).")
@click.option("--region", help="Region code (行政区划代码) prefix.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--exact", is_flag=True, help="Rank every match (slower for very common terms).")
@output_options("JSON lines.", csv=True)
def search(query, data, agency, year, level, region, limit, exact, as_json, as_csv) -> None:
    """Full-text search of report texts (1- and 2-character terms included; 復議 finds 复议).

    \b
    Query syntax:
    - terms separated by spaces (or AND) must all match
    - "…" in double quotes is a phrase
    - OR (or |) between two terms: either of them
    - NOT term, or -term: without that term

    1- and 2-character terms have full recall (复议 finds 行政复议); a traditional query (復議)
    finds simplified text.

    Prints the hits ranked by BM25, each with its report id, year, title and a highlighted
    snippet. Ranking scores the 1,000 most recently indexed matches (after the filters) by BM25
    term frequency, so a term found in 100,000 reports still answers in tens of milliseconds;
    --exact ranks every match with FTS5 bm25 (slower for common terms).

    The index is built by nianbao extract; when it is empty, "no match" on stderr says so.
    """
    from storage import search as index
    from storage.db import open_db

    db = open_db(data, create=False)
    try:
        hits = index.search(
            db,
            query,
            agency=agency,
            year=year,
            level=level,
            region=region,
            limit=limit,
            rank_pool=None if exact else index.RANK_POOL,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if as_csv:
        out = csv.writer(sys.stdout)
        out.writerow(["report_id", "report_year", "agency", "title", "score", "snippet"])
        for h in hits:
            out.writerow(
                [
                    h.report_id,
                    h.report_year,
                    cell_text(h.agency),
                    cell_text(h.title),
                    f"{h.score:.3f}",
                    cell_text(h.snippet),
                ]
            )
        return
    for h in hits:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "report_id": h.report_id,
                        "report_year": h.report_year,
                        "agency": h.agency,
                        "title": h.title,
                        "source": h.source_id,
                        "score": h.score,
                        "snippet": h.snippet,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            click.echo(f"{h.report_id}  {h.report_year or '?'}  {h.title}\n    {h.snippet}")
    if not hits and not as_json:
        indexed = index.indexed_reports(db)
        click.echo("no match" if indexed else "no match: the index is empty (run nianbao extract)", err=True)


@click.command()
@click.argument("report")
@data_option
@archive_sources_option
@output_options("The report as one JSON object.")
@click.option("--original", is_flag=True, help="Show the text in its original script (traditional kept).")
def show(report, data, as_json, original) -> None:
    """Metadata, versions, attachments and clean text of one report (id or URL).

    Prints the report's title, id, source, report year, agency (and where that came from), URL,
    published date and its source (meta, page, list, url, none), first sighting, every date
    candidate with its provenance and trust, each archived version (first and last seen,
    SHA-256), the attachments with their extraction status, the template format, headline numbers
    and parsed table rows, the counts of passed, failed and uncertain consistency checks with
    every one that did not pass, then the clean text (simplified; --original keeps the
    traditional characters). --json prints all of it as one object. Exit 1 when no report
    matches.
    """
    from storage.db import open_db
    from storage.documents import versions_of
    from storage.reports import attachments_with_text, find_report
    from storage.stats import cells_for, checks_for
    from storage.texts import stored_report_text

    db = open_db(data, create=False)
    row = find_report(db, report)
    if row is None:
        fail(f"no report {report!r}", 1)
    text = stored_report_text(db, row["id"])
    attachments = attachments_with_text(db, row["id"])
    versions = versions_of(db, row["url"])

    cells, checks = cells_for(db, row["id"]), checks_for(db, row["id"])
    if as_json:
        click.echo(
            json.dumps(
                {
                    **row,
                    "date_candidates": json.loads(row["date_candidates"] or "[]"),
                    "stats_json": json.loads(row.get("stats_json") or "{}"),
                    "attachments": attachments,
                    "versions": versions,
                    "cells": cells,
                    "checks": checks,
                    "text": (text or {}).get("original" if original else "text"),
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    click.echo(
        f"{row['title']}\n  id {row['id']}  source {row['source_id']}  year {row['report_year']}"
        f"  agency {row['agency']} ({row['agency_source']}){'' if row['own'] else '  [other body]'}"
    )
    click.echo(
        f"  url {row['url']}\n  published {row['published_at']} ({row['published_at_source']})"
        f"  first seen {row['first_seen_at']}"
    )
    for c in json.loads(row["date_candidates"] or "[]"):
        click.echo(
            f"    date {c['date']} from {c['source']}{'' if c.get('trusted', True) else ' (untrusted)'}: {c['raw']}"
        )
    for v in versions:
        click.echo(
            f"  version {v['seq']}: {v['first_seen_at']} → {v['last_seen_at']}  sha256 {v['payload_sha256']}"
        )
    for a in attachments:
        click.echo(
            f"  attachment {a['file_type'] or '?'} [{a['status'] or 'not extracted'}"
            f"{', OCR' if a['ocr'] else ''}] {a['text']}  {a['url']}"
        )
    click.echo(stats_block(row, cells, checks))
    click.echo("")
    click.echo((text or {}).get("original" if original else "text") or "(no text yet: run nianbao extract)")


def stats_block(row: dict, cells: list[dict], checks: list[dict]) -> str:
    """The parsed tables (one line per row) and the failed or uncertain checks, for ``show``."""
    from crawler.vocab.words import HEADLINE, RULE_NAMES

    if not row.get("analysed_at"):
        return "  statistics: not analysed yet (run nianbao extract)"
    out = [f"  format {row.get('format') or '?'}; " + ", ".join(f"{k} {_num(row.get(k))}" for k in HEADLINE)]
    rows: dict[tuple[str, str], list[str]] = {}
    for c in cells:
        rows.setdefault((c["tbl"], c["row"]), []).append(
            f"{c['col']}={_num(c['value']) if c['status'] == 'number' else (c['raw'] or c['status'])}"
            if c["col"]
            else f"{_num(c['value'])}{' (approx.)' if c['status'] == 'approximate' else ''}"
        )
    for (table, name), values in rows.items():
        out.append(f"  table {table} {name}: {'  '.join(values)}")
    bad = [c for c in checks if c["result"] != "pass"]
    passed = len(checks) - len(bad)
    out.append(
        f"  checks: {passed} pass, {sum(c['result'] == 'fail' for c in bad)} fail, "
        f"{sum(c['result'] == 'uncertain' for c in bad)} uncertain"
    )
    for c in bad:
        name = RULE_NAMES.get(c["rule"], ("", ""))[1]
        out.append(
            f"    {c['rule']} {c['result']} ({c['severity']}{'; ' + name if name else ''}): {c['message']}"
        )
    return "\n".join(out)


def _num(value) -> str:
    if value is None:
        return "-"
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The URL the page was fetched from (resolves links, URL dates).")
@click.option("--cms", default="auto", show_default=True, help="CMS family hint.")
@output_options("Print the full JSON object.")
def parse(file: str, url: str | None, cms: str, as_json: bool) -> None:
    """Recognise one saved file: a listing page, or a report with its clean text.

    FILE may be an HTML page, PDF, DOCX, DOC/WPS, RTF, XLS(X), OFD or TXT. A listing yields its report
    links with their years, its next pages and year sub-columns; a report yields its title, report
    year, agency, published date and where it came from, and attachments. Nothing is fetched or
    written. --json prints the full object, which also holds the clean text, the statistics found
    in it, and extraction saying how the text was obtained (status, extractor, OCR).
    """
    from crawler.parse_file import parse_file

    result = parse_file(Path(file).read_bytes(), url=url or Path(file).resolve().as_uri(), cms=cms)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"kind: {result['kind']}  annual report: {result['is_annual_report']}")
    for key in ("title", "agency", "level", "report_year", "published_at", "published_at_source"):
        click.echo(f"{key}: {result.get(key)}")
    for link in result.get("links", []):
        click.echo(f"  report {link.get('report_year')}: {link['text']}  {link['url']}")
    for page in result.get("next_pages", []):
        click.echo(f"  next page: {page}")
    for att in result.get("attachments", []):
        click.echo(f"  attachment: {att['text']}  {att['url']}")


COMMANDS = [extract, search, show, parse]
