"""``nianbao raw``, ``verify`` and ``status``: the raw archive and the health of its sources."""

from __future__ import annotations

import json
import sys

import click

from crawler.cli.errors import fail
from crawler.cli.options import archive_sources_option, data_option, output_options, sources_option


@click.command()
@click.argument("sha256")
@data_option
@archive_sources_option
def raw(sha256: str, data: str | None) -> None:
    """Write the raw archived bytes with this SHA-256 (or unique prefix), or of this URL's latest
    full capture, to stdout.

    The payload byte for byte as the server sent it, e.g. nianbao raw 3f2a9c > report.pdf, or
    nianbao raw 'http://…/2024年 报告.pdf' > report.pdf (a URL in any spelling: it is looked up in
    the form it is stored in). A unique prefix of at least 6 hex digits is enough; exit 1 when no
    archived payload or more than one matches.
    """
    from crawler.vocab.urls import canonical_url
    from storage import fetches
    from storage.db import WARC_DIR, data_dir, open_db
    from storage.warc import read_record

    db = open_db(data, create=False)
    if "://" in sha256:
        row = fetches.last_full_capture(db, canonical_url(sha256))
        if row is None:
            fail(f"{sha256}: no archived capture of this URL", 1)
    else:
        matches = fetches.find_by_prefix(db, sha256) if len(sha256) >= 6 else []
        if len(matches) != 1:
            fail(f"{sha256}: {'no archived payload' if not matches else 'ambiguous prefix'}", 1)
        row = fetches.first_response(db, matches[0])
    payload = read_record(data_dir(data) / WARC_DIR, fetches.ref_of(row)).payload
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


@click.command()
@data_option
@archive_sources_option
def verify(data: str | None) -> None:
    """Re-read every archived WARC record and check its digest against the index.

    Reads every record of DATA/warc/ and checks its SHA-256 against archive.db, then the manifest
    chain (DATA/manifests/: each crawl seals the records and index rows it added, chained to the
    manifest before): every manifest against its row and the one before it, every record's bytes
    and index row against its manifest. Prints one summary line (ok or FAILED, records, files,
    errors, warnings, the chain head to publish) and each problem on stderr, naming the first
    manifest (and run) whose content no longer matches. Any error makes the exit code 1. Records a
    killed crawl left in the WARC files but not in the index, a torn last record, and records not
    sealed yet are only warnings.
    """
    from storage.db import WARC_DIR, data_dir, open_db
    from storage.manifests import verify_chain
    from storage.verify import verify_archive

    db = open_db(data, create=False)
    report = verify_archive(db, data_dir(data) / WARC_DIR)
    chain = verify_chain(db, data_dir(data))
    errors = [*report.errors, *(f"chain: {line}" for line in chain.errors)]
    warnings = [*report.warnings, *(f"chain: {line}" for line in chain.warnings)]
    for line in errors:
        click.echo(f"ERROR {line}", err=True)
    for line in warnings:
        click.echo(f"warning {line}", err=True)
    if chain.first_bad:
        seq, run_id = chain.first_bad
        click.echo(
            f"ERROR chain: the first manifest whose content no longer matches is {seq}, of run {run_id}",
            err=True,
        )
    head = (
        f"chain of {chain.manifests} manifests, head {chain.head}" if chain.head else "no manifest chain yet"
    )
    click.echo(
        f"{'ok' if not errors else 'FAILED'}: {report.records} records in {report.files} WARC files, "
        f"{len(errors)} errors, {len(warnings)} warnings; {head}"
    )
    sys.exit(0 if not errors else 1)


@click.command()
@data_option
@sources_option
@output_options("One JSON object per source.")
def status(data: str | None, sources: str | None, as_json: bool) -> None:
    """Per-source health: last success, failures in a row, items last run, latest outcome.

    \b
    Health of each source:
    - ok: none of the below
    - degraded: under 75 % of runs in 14 days found reports, or the latest
      failed, or no run read the column in 14 days (a stopped scheduler never
      leaves a stale ok)
    - broken: a column that listed reports now lists none three runs in a row,
      or three failed runs
    - blocked: three blocked runs
    - disabled: switched off in the registry or by nianbao sources disable
    - unknown: never crawled

    Runs stopped early (interrupted) count neither way. Each line gives the health, last success,
    failures in a row, items last run and the latest outcome (ok, empty, partial, blocked:<kind>,
    unreachable, interrupted), with the reason when not ok.

    When nianbao schedule runs (or ran) on the data directory, a first line on stderr says whether
    it is alive (running, stopped, or NOT RUNNING / NOT RESPONDING when its process is gone or its
    status file is stale), what runs next and what needs attention. nianbao check opens and closes
    source_broken / source_blocked flags from the same judgement.
    """
    from crawler.health import health_rows
    from crawler.opstatus import describe_scheduler
    from crawler.registry import load_registry
    from crawler.vocab import clock
    from storage.db import data_dir, open_db

    db = open_db(data, create=False)
    registry = load_registry(sources, data)
    scheduler = describe_scheduler(data_dir(data))
    if scheduler:
        click.echo(scheduler, err=True)
    for row in health_rows(db, registry, clock.now()):
        source_id = row["source"]
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        last = (row["last_success"] or "never")[:16]
        click.echo(
            f"{source_id:<22} {row['health']:<9} last success {last:<16}  failures in a row "
            f"{row['consecutive_failures']}  items last run {row['items_last_run'] if row['latest_run'] else '-'}  "
            f"latest {row['latest_status'] or '-'}{'  ' + row['reason'] if row['reason'] else ''}"
        )


@click.command()
@click.argument("dest", type=click.Path(file_okay=False))
@data_option
@archive_sources_option
@click.option("--link", is_flag=True, help="Hard-link complete WARC files instead of copying them.")
def backup(dest: str, data: str | None, link: bool) -> None:
    """Copy the data directory to DEST, consistently, even while crawls run.

    The index is snapshotted with SQLite's online backup; each WARC file it refers to is copied up
    to the end of the last record the snapshot indexes (a crawl still appending is not disturbed,
    and its later records are not in the copy). --link hard-links WARC files that are already
    complete (WARC files never change once written). DEST must be new or empty; it is a data
    directory like any other: check it with nianbao verify --data DEST, read it with any command.

    \b
    Exit codes:
      0  the copy is complete
      2  no archive in --data, or DEST already holds one
    """
    from storage.backup import backup as take_backup

    click.echo(take_backup(data, dest, link=link).line())


COMMANDS = [raw, verify, status, backup]
