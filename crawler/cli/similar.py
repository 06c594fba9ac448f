"""``nianbao similar``: reports that repeat their previous year or another body's report (雷同)."""

from __future__ import annotations

import csv
import json
import sys

import click

from crawler.cli.errors import fail
from crawler.cli.options import data_option, output_options, sources_option
from crawler.vocab.text import cell_text, one_line

COLUMNS = (
    "report_id",
    "kind",
    "reuse",
    "source_id",
    "agency",
    "report_year",
    "compared_report_id",
    "compared_source_id",
    "compared_agency",
    "compared_year",
    "leaked_names",
)


@click.command()
@click.argument("report", required=False)
@data_option
@sources_option
@click.option("--year", type=int, help="Only reports of this report year.")
@click.option(
    "--min",
    "minimum",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Smallest share of a report's own wording found in the other report.",
)
@output_options("A JSON list (or, for one report, one object).", csv=True)
def similar(report, data, sources, year, minimum, as_json, as_csv) -> None:
    """Reports that reuse most of their previous year's report or another body's (雷同).

    Without REPORT: one line per report and comparison (previous_year: the same body's report of
    the year before; other_body: the most similar report of another body, published earlier, of
    the same or the previous year) whose reuse is at least --min, highest first, with the other
    body's name when the copy still carries it. With REPORT (id or URL): its reuse by section and
    the reused passages. The comparison runs in nianbao extract (and run) whenever report texts
    changed, and here too when it has not run since (bench/similar.py times it at archive
    scale); nianbao check raises copied flags from it. Exit 1 when REPORT matches nothing.
    """
    from crawler.registry import load_registry
    from crawler.stages.originality import compute_originality, originality_needed
    from storage.db import open_db
    from storage.originality import originality_of, similar_reports
    from storage.reports import find_report

    db = open_db(data, create=False)
    if originality_needed(db, 0):
        registry = {
            s.id: {"level": s.level, "region": s.region, "kind": s.kind, "agency": s.agency}
            for s in load_registry(sources, data)
        }
        n = compute_originality(db, registry)
        click.echo(f"nianbao: compared {n} report(s) with their previous year and near duplicates", err=True)
    if report:
        row = find_report(db, report)
        if row is None:
            fail(f"no report {report!r}", 1)
        results = originality_of(db, row["id"])
        if as_json:
            click.echo(
                json.dumps({"report_id": row["id"], "comparisons": results}, ensure_ascii=False, indent=1)
            )
            return
        click.echo(
            f"{one_line(row['title'])}\n  id {row['id']}  source {row['source_id']}  year {row['report_year']}"
        )
        if not results:
            click.echo("  not compared yet (no text of this report: run nianbao extract)")
        for r in results:
            other = r["compared_report_id"] or "none"
            click.echo(f"  {r['kind']}: reuse {r['reuse']:.0%} of {other}")
            for key, value in r["sections"].items():
                click.echo(f"    section {key}: {value:.0%}")
            for name in r["leaked_names"]:
                click.echo(f"    names the other body: {name}")
            for p in r["passages"]:
                click.echo(f"    [{p['start']}-{p['end']}] {one_line(p['text'], 120)}")
        return
    rows = similar_reports(db, minimum=minimum, year=year)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([cell_text(" ".join(r[c]) if c == "leaked_names" else r[c]) for c in COLUMNS])
    else:
        for r in rows:
            leak = f"  names {', '.join(r['leaked_names'])}" if r["leaked_names"] else ""
            click.echo(
                f"{r['reuse']:4.0%}  {r['kind']:<13} {r['report_id']}  {one_line(r['agency'])} {r['report_year']}"
                f"  ← {r['compared_report_id']}  {one_line(r['compared_agency'])} {r['compared_year']}{leak}"
            )
        click.echo(f"{len(rows)} report(s) reusing at least {minimum:.0%}", err=True)


COMMANDS = [similar]
