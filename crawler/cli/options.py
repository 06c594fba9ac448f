"""Options shared by the ``nianbao`` commands, as decorators and bundles of decorators.

A bundle (:func:`crawl_options`, :func:`extract_options`) applies every option of one concern
in one line, so ``crawl``, ``run`` and ``schedule`` cannot drift apart in what they accept.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from crawler.stages.run import ExtractOptions

F = TypeVar("F", bound=Callable[..., Any])

data_option = click.option(
    "--data",
    "data",
    envvar="NIANBAO_DATA",
    type=click.Path(file_okay=False),
    help="Data directory (default: ./nianbao-data, or $NIANBAO_DATA when set) holding archive.db and warc/.",
)
sources_option = click.option(
    "--sources",
    "sources",
    type=click.Path(dir_okay=False),
    help="Sources registry TOML. Default: $NIANBAO_SOURCES, else the registry the data directory remembers (its first crawl given one), else the one shipped with nianbao.",
)
archive_sources_option = click.option(
    "--sources",
    type=click.Path(dir_okay=False),
    expose_value=False,
    help="Accepted like on every command (scripts pass --data and --sources alike); this command reads only the archive.",
)
settings_option = click.option(
    "-s", "--set", "settings", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy/nianbao setting."
)
profile_option = click.option(
    "--profile",
    type=click.Choice(["polite", "sim"]),
    default="polite",
    show_default=True,
    help="Pacing: 'polite' for real portals; 'sim' for the local simulator only.",
)


def _bundle(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


crawl_options = _bundle(
    click.argument("source_ids", nargs=-1),
    data_option,
    sources_option,
    click.option(
        "--group",
        help="Only the sources of this scheduler group: dept, region, township or "
        "override-MMDD (see nianbao schedule --list).",
    ),
    click.option("--years", help="Only these report years, e.g. 2019-2025 or 2024 (backfill)."),
    profile_option,
)
"""SOURCE_IDS, --data, --sources, --group, --years, --profile: what a crawl reads."""

extract_options = _bundle(
    click.option("--workers", type=click.IntRange(1, 32), default=2, show_default=True),
    click.option("--timeout", type=float, default=120.0, show_default=True, help="Seconds per file."),
    click.option("--memory-mb", type=int, default=1536, show_default=True, help="Memory cap per worker."),
    click.option(
        "--no-ocr", is_flag=True, help="Mark pages without a text layer needs_ocr instead of OCRing them."
    ),
)
"""--workers, --timeout, --memory-mb, --no-ocr: how extraction runs."""


def extract_settings(workers: int, timeout: float, memory_mb: int, no_ocr: bool) -> ExtractOptions:
    """The :func:`extract_options` values as the stage takes them (an ``ExtractOptions``)."""
    from crawler.stages.run import ExtractOptions  # imported when used: --help stays fast

    return ExtractOptions(workers=workers, timeout=timeout, memory_mb=memory_mb, ocr=not no_ocr)


def parse_settings(values: tuple[str, ...]) -> dict[str, str]:
    """``-s NAME=VALUE`` options as a dict."""
    out = {}
    for value in values:
        if "=" not in value:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="-s")
        name, _, val = value.partition("=")
        out[name.strip()] = val
    return out


def command_line() -> str:
    """This command as a lock holder describes it (``crawl``, ``extract``, ``run`` …)."""
    return " ".join(sys.argv[1:3])


def say_waiting(stage: str, holder: str) -> None:
    """Tell stderr that a stage lock is held by another process and this one waits."""
    click.echo(f"nianbao: waiting for the {stage} stage held by {holder}", err=True)


def output_options(
    json_help: str = "JSON lines instead of a table.", *, csv: bool = False
) -> Callable[[F], F]:
    """--json (``as_json``), and with ``csv`` --csv (``as_csv``: UTF-8, a header row, cells that a
    spreadsheet shows but never runs): how a listing command prints."""
    options = [click.option("--json", "as_json", is_flag=True, help=json_help)]
    if csv:
        options.append(click.option("--csv", "as_csv", is_flag=True, help="CSV with a header row."))
    return _bundle(*options)


def live_progress(label: str) -> tuple[Callable[[int, int], None], str]:
    """A progress callback that rewrites one stderr line (only on a terminal), and the prefix
    that clears that line before the closing summary."""
    live = sys.stderr.isatty()

    def progress(n: int, total: int) -> None:
        if live:
            click.echo(f"\r\033[K{label} {n}/{total}", nl=False, err=True)

    return progress, ("\r\033[K" if live else "")
