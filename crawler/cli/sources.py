"""``nianbao sources``: list, validate, and switch sources off and on per data directory."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from crawler.cli.errors import EXIT_USAGE
from crawler.cli.options import data_option, output_options, sources_option

if TYPE_CHECKING:
    from crawler.registry.sources import Source


@click.group()
def sources() -> None:
    """The sources registry (which columns are crawled).

    The registry is a TOML file (--sources; default: the one shipped with nianbao). disable and
    enable switch a source off or on for one data directory without editing it.
    """


@sources.command("list")
@data_option
@sources_option
@click.option("--all", "show_all", is_flag=True, help="Include disabled sources.")
@output_options()
def sources_list(data: str | None, sources: str | None, show_all: bool, as_json: bool) -> None:
    """List sources: id, level, kind, CMS, agency and column URL (operator state of --data applied).

    Only enabled sources unless --all, which adds the disabled ones, each with (disabled: <why>):
    the registry's note, or who switched it off when and why (nianbao sources disable).
    """
    from dataclasses import asdict

    from crawler.registry import load_registry

    rows = [s for s in load_registry(sources, data) if show_all or s.enabled]
    for s in rows:
        if as_json:
            click.echo(json.dumps(asdict(s), ensure_ascii=False))
        else:
            flag = "" if s.enabled else f" (disabled{': ' + s.note if s.note else ''})"
            click.echo(
                f"{s.id:<22} {s.level:<18} {s.kind:<8} {s.cms:<6} {s.agency}{flag}\n{'':<22} {s.urls[0]}"
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


COMMANDS = [sources]
