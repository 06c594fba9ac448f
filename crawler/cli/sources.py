"""``nianbao sources``: list, validate, and switch sources off and on per data directory."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from crawler.cli.errors import EXIT_USAGE, fail
from crawler.cli.options import data_option, output_options, profile_option, sources_option

if TYPE_CHECKING:
    from crawler.registry.sources import Source


@click.group()
def sources() -> None:
    """The sources registry (which columns are crawled).

    The registry is a TOML file (--sources; default: the one shipped with nianbao). disable and
    enable switch a source off or on for one data directory without editing it; add discovers
    the columns behind portal URLs and appends them; import appends bodies from a CSV file;
    coverage counts the watched bodies per province, city and county.
    """


@sources.command("list")
@data_option
@sources_option
@click.option("--all", "show_all", is_flag=True, help="Include disabled sources.")
@output_options()
def sources_list(data: str | None, sources: str | None, show_all: bool, as_json: bool) -> None:
    """List sources: id, level, kind, CMS, region, agency and column URL (operator state of --data applied).

    Only enabled sources unless --all, which adds the disabled ones, each with (disabled: <why>):
    the registry's note, or who switched it off when and why (nianbao sources disable).
    The region is the registry's, or read from the agency name when the registry gives none;
    the second line says which (region_source in --json: registry, agency name, or null).
    """
    from crawler.registry import load_registry
    from crawler.registry.placed import place_sources

    rows = [s for s in place_sources(load_registry(sources, data)) if show_all or s.enabled]
    for s in rows:
        if as_json:
            click.echo(json.dumps(s.as_dict(), ensure_ascii=False))
        else:
            flag = "" if s.enabled else f" (disabled{': ' + s.note if s.note else ''})"
            where = (
                f"  region from the {s.region_source}: {s.region_name or 'not in the code table'}"
                if s.region
                else ""
            )
            click.echo(
                f"{s.id:<22} {s.level:<18} {s.kind:<8} {s.cms:<6} {s.region or '-':<6} {s.agency}{flag}\n"
                f"{'':<22} {s.urls[0]}{where}"
            )


@sources.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def sources_validate(files: tuple[str, ...]) -> None:
    """Check registry FILES (default: the shipped registry); every error names file, source, field.

    Unknown keys, non-http(s) URLs and bad levels are errors, among others. Prints "ok: N sources",
    or every error on stderr and exits 2.
    """
    from crawler.registry.sources import load_sources, validate_sources

    errors = []
    for path in files or (None,):
        errors.extend(validate_sources(path))
    for err in errors:
        click.echo(str(err), err=True)
    if errors:
        sys.exit(EXIT_USAGE)
    n = sum(len(load_sources(p)) for p in files or (None,))
    click.echo(f"ok: {n} sources")


def _registry_source(sources: str | None, source_id: str) -> Source:
    """The registry's own entry for ``source_id`` (exit 2 with close matches if there is none)."""
    from crawler.registry.sources import load_sources, select_sources

    return select_sources(load_sources(sources), [source_id], include_disabled=True)[0]


def _changed_by(action: str) -> str:
    """Who switched a source: the command, and the user when the system can tell."""
    import getpass

    try:
        return f"nianbao sources {action} ({getpass.getuser()})"
    except (OSError, KeyError, ImportError):  # no user name in this environment
        return f"nianbao sources {action}"


@sources.command("disable")
@click.argument("source_id")
@click.option(
    "--reason", default="no reason given", show_default=True, help="Why (shown wherever it is off)."
)
@data_option
@sources_option
def sources_disable(source_id: str, reason: str, data: str | None, sources: str | None) -> None:
    """Switch SOURCE_ID off in this data directory; the registry file is unchanged.

    The switch is stored in archive.db (table source_state: on/off, reason, when, by whom) and
    overrides the registry's enabled for crawl, run, check, status and sources list of this data
    directory; schedule leaves it out. Crawling a switched-off source by name exits 2 with the
    reason. An unknown SOURCE_ID exits 2 with close matches. nianbao sources enable undoes it.
    """
    from crawler.vocab import clock
    from storage.db import open_db
    from storage.source_state import set_state

    _registry_source(sources, source_id)
    reason = reason.strip() or "no reason given"
    set_state(
        open_db(data), source_id, enabled=False, reason=reason, at=clock.now_iso(), by=_changed_by("disable")
    )
    click.echo(f"disabled {source_id}: {reason}")


@sources.command("enable")
@click.argument("source_id")
@data_option
@sources_option
def sources_enable(source_id: str, data: str | None, sources: str | None) -> None:
    """Switch SOURCE_ID back on in this data directory (undoes 'sources disable').

    On a source the registry itself disables, it turns it on too: the operator state then
    overrides the registry (a note on stderr says so). An unknown SOURCE_ID exits 2 with close
    matches.
    """
    from crawler.vocab import clock
    from storage.db import open_db
    from storage.source_state import clear_state, set_state

    source = _registry_source(sources, source_id)
    db = open_db(data)
    if source.enabled:  # no state needed: the registry already has it on
        clear_state(db, source_id)
    else:
        set_state(
            db,
            source_id,
            enabled=True,
            reason="enabled by operator",
            at=clock.now_iso(),
            by=_changed_by("enable"),
        )
        note = f" ({source.note})" if source.note else ""
        click.echo(
            f"note: the registry says {source_id} is disabled{note}; operator state now overrides it",
            err=True,
        )
    click.echo(f"enabled {source_id}")


@sources.command("state")
@data_option
@output_options()
def sources_state(data: str | None, as_json: bool) -> None:
    """The operator switches of this data directory: source, on/off, when, by whom and why."""
    from crawler.registry import read_state

    for source_id, row in sorted(read_state(data).items()):
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(
                f"{source_id:<22} {'enabled' if row['enabled'] else 'disabled':<8} {row['changed_at']}  "
                f"{row['changed_by']}  {row['reason']}"
            )


@sources.command("import")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False),
    help="Registry to append to (created if missing). Default: the one --data uses (see --sources), "
    "never the one shipped with nianbao.",
)
@click.option("--dry-run", is_flag=True, help="Check and print what would be appended; write nothing.")
@data_option
def sources_import(csv_file: str, target: str | None, dry_run: bool, data: str | None) -> None:
    """Append the bodies of a CSV file to a registry as [[source]] tables.

    Columns (header row): agency and url required; region, level, kind, id and first_year
    optional (url may list several URLs separated by spaces or ;). UTF-8 with or without a BOM,
    or GBK as Excel saves it. An empty level is read from the name, kind from the level, region
    from the name (when it names its place unambiguously), id made from the region and a hash
    of the name (430102-1a2b3c4d, the same on every import). Rows whose id or URL the registry
    already has are skipped and listed. Every row is checked like the registry; any error
    (each names the CSV line and column) exits 2 and writes nothing. The existing file is kept
    byte for byte; the new tables follow it, each noting its CSV line and what was inferred.
    """
    from crawler.registry.importing import plan_import, refuse_shipped, write_import
    from crawler.registry.memory import resolve_sources

    if target is None:
        resolved = resolve_sources(None, data)
        if resolved.path is None:
            fail(
                "the data directory uses the registry shipped with nianbao, which an upgrade "
                "replaces; pass --to FILE (created if missing)",
                EXIT_USAGE,
            )
        target = resolved.path
    refuse_shipped(target)
    plan = plan_import(csv_file, target)
    for err in plan.errors:
        click.echo(str(err), err=True)
    if plan.errors:
        click.echo(f"nianbao: {len(plan.errors)} error(s) in {csv_file}; nothing written", err=True)
        sys.exit(EXIT_USAGE)
    for skip in plan.skipped:
        click.echo(f"skipped line {skip.line}: {skip.agency}: {skip.reason}")
    if dry_run:
        click.echo(plan.appended_text().lstrip("\n"), nl=False)
    else:
        write_import(plan)
    for entry in plan.entries:
        s = entry.source
        click.echo(
            f"{'would add' if dry_run else 'added'} {s.id:<22} {s.level:<18} {s.kind:<8} {s.region or '-':<6} {s.agency}"
        )
    for entry in plan.entries:
        if entry.source.region is None:
            click.echo(
                f"note: line {entry.line}: no region (the name does not place {entry.source.agency} "
                "unambiguously); give it in the region column if it has one",
                err=True,
            )
    click.echo(plan.summary(dry_run=dry_run))


@sources.command("add")
@click.argument("urls", nargs=-1, required=True)
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False),
    help="Registry to append to (created if missing). Default: the one --data uses, never the shipped one.",
)
@click.option(
    "--depth", default=4, show_default=True, type=click.IntRange(0, 8), help="Clicks from each URL."
)
@click.option(
    "--max-pages", default=60, show_default=True, type=click.IntRange(1, 2000), help="Pages per URL."
)
@click.option("--dry-run", is_flag=True, help="Discover and print what would be added; write nothing.")
@profile_option
@data_option
def sources_add(urls, target, depth, max_pages, dry_run, profile, data) -> None:
    """Discover the annual-report columns behind portal URLs and add them to a registry.

    Runs nianbao discover on each URL (a portal home page, a 政府信息公开 platform page, an index
    of departments' and townships' reports, or a column itself), which reads each column it
    finds — that read is the trial crawl: every proposal shows the reports and years it lists.
    Columns it is sure of are checked like the registry and appended to --to (or the registry
    the data directory uses) with their evidence as comments; unsure ones are listed with the
    reason and not added (run nianbao discover to see them as commented TOML). Columns already
    in the registry are skipped. The registry written becomes the data directory's own, so
    nianbao run and check find the new sources without --sources. Exit 1 when nothing was found,
    2 for a registry that would not validate.
    """
    from crawler.registry.importing import plan_rows, refuse_shipped, write_import
    from crawler.registry.memory import remember, resolve_sources
    from crawler.registry.proposals import propose
    from crawler.stages.discover import run_discover

    if target is None:
        resolved = resolve_sources(None, data)
        if resolved.path is None:
            fail(
                "the data directory uses the registry shipped with nianbao, which an upgrade replaces; "
                "pass --to FILE (created if missing)",
                EXIT_USAGE,
            )
        target = resolved.path
    refuse_shipped(target)
    result = run_discover(list(urls), data=data, depth=depth, max_pages=max_pages, profile=profile)
    proposals = propose(result.found)
    sure = [p for p in proposals if not p.doubt]
    for p in proposals:
        if p.doubt:
            click.echo(f"not added (unsure): {p.urls[0]}: {p.doubt}", err=True)
    if not proposals:
        fail("no annual-report column found (try --depth, or nianbao discover to see the walk)")
    rows = [
        (
            n,
            {
                "agency": p.agency or "",
                "url": p.urls[0],
                "level": p.level or "",
                "kind": p.kind or "",
                "region": p.region or "",
                "id": p.id,
            },
        )
        for n, p in enumerate(sure, 1)
    ]
    plan = plan_rows("discovery of " + ", ".join(urls), "utf-8", rows, target)
    for err in plan.errors:
        click.echo(str(err), err=True)
    if plan.errors:
        fail(f"{len(plan.errors)} proposal(s) would not validate; nothing written", EXIT_USAGE)
    for skip in plan.skipped:
        click.echo(f"already registered: {skip.agency}: {skip.reason}")
    by_url = {p.urls[0]: p for p in sure}
    for entry in plan.entries:
        src, ev = entry.source, by_url[entry.source.urls[0]].evidence
        years = ", ".join(map(str, ev.get("years") or [])) or "none"
        click.echo(
            f"{'would add' if dry_run else 'added'} {src.id:<20} {src.level:<16} {src.kind:<8} "
            f"{src.region or '-':<6} {src.agency}: {ev.get('reports')} report(s) listed, years {years}"
        )
    if not dry_run:
        write_import(plan)
        remember(data, target)
    click.echo(
        f"{'would add' if dry_run else 'added'} {len(plan.entries)} of {len(proposals)} column(s) found to {target}"
        + (f"; {len(proposals) - len(sure)} unsure not added" if len(sure) < len(proposals) else "")
    )


@sources.command("coverage")
@click.option(
    "--region", "region", metavar="CODE", help="Only this area (43, 4301 or 430102) and its children."
)
@click.option("--year", type=int, help="Report year of the season (default: last year).")
@data_option
@sources_option
@output_options(csv=True)
def sources_coverage(
    region: str | None, year: int | None, data: str | None, sources: str | None, as_json: bool, as_csv: bool
) -> None:
    """How much of each area is watched: bodies registered, working, reported, the share covered.

    Without --region: the country, each province, and the bodies without a region. With
    --region 43 (a province), 4301 (a city) or 430102: that area, its own level (本级) and its
    children; every child the code table knows is listed, empty ones too. A body counts where its
    region puts it (the registry's, or read from its agency name). working: its column's health
    is ok (as nianbao status judges it), or degraded while its latest crawl read it; reported: an own report of the season's year
    is in the archive; covered: reported / registered. Without an archive in --data only
    registered is known.
    """
    import csv as csv_module

    from crawler.health import health_rows
    from crawler.registry import load_registry
    from crawler.registry.coverage import area_code, coverage
    from crawler.vocab import clock
    from crawler.vocab.errors import UsageError
    from crawler.vocab.text import cell_text
    from storage.db import open_readonly
    from storage.reports import sources_with_year

    try:
        area = area_code(region) if region else None
    except ValueError as exc:
        raise UsageError(f"--region: {exc}") from None
    season = year or clock.today().year - 1
    registry = load_registry(sources, data)
    working = reported = None
    with open_readonly(data) as db:
        if db is not None:
            working = {
                r["source"]
                for r in health_rows(db, registry, clock.now())
                if r["health"] == "ok"
                or (
                    r["health"] == "degraded"
                    and (r["latest_status"] or "").split(":")[0] in ("ok", "partial")
                )
            }
            reported = sources_with_year(db, season)
    rows = coverage(registry, area, working=working, reported=reported)
    if as_json:
        for row in rows:
            click.echo(json.dumps({**row.as_dict(), "year": season}, ensure_ascii=False))
        return
    if as_csv:
        out = csv_module.writer(sys.stdout, lineterminator="\n")
        out.writerow(["code", "name", "level", "registered", "working", "reported", "share", "year"])
        for row in rows:
            d = row.as_dict()
            out.writerow(
                [
                    cell_text(d[k])
                    for k in ("code", "name", "level", "registered", "working", "reported", "share")
                ]
                + [season]
            )
        return
    if working is None:
        click.echo("no archive in the data directory: only registered bodies are counted", err=True)
    click.echo(f"season {season}: own reports of {season} found")
    click.echo(f"{'code':<7} {'registered':>10} {'working':>8} {'reported':>8} {'covered':>8}  area")
    for n, row in enumerate(rows):
        cells = ["-" if v is None else v for v in (row.working, row.reported)]
        share = f"{row.share:.0%}" if row.share is not None else "-"
        click.echo(
            f"{row.code or '':<7} {row.registered:>10} {cells[0]:>8} {cells[1]:>8} {share:>8}  "
            f"{'  ' if n else ''}{row.name}"
        )


COMMANDS = [sources]
