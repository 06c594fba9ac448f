"""Options and helpers shared by every ``nianbao`` command module."""

from __future__ import annotations

import sys

import click

data_option = click.option("--data", "data", envvar="NIANBAO_DATA", type=click.Path(file_okay=False),
                           help="Data directory (archive.db + warc/). Default: $NIANBAO_DATA or ./nianbao-data.")
sources_option = click.option("--sources", "sources", type=click.Path(dir_okay=False),
                              help="Sources registry TOML. Default: the registry shipped with nianbao.")


def fail(message: str, code: int) -> None:
    """Print ``nianbao: message`` to stderr and exit with ``code`` (1 runtime, 2 usage/config)."""
    click.echo(f"nianbao: {message}", err=True)
    sys.exit(code)


def parse_settings(values: tuple[str, ...]) -> dict[str, str]:
    """``-s NAME=VALUE`` options as a dict."""
    out = {}
    for value in values:
        if "=" not in value:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="-s")
        name, _, val = value.partition("=")
        out[name.strip()] = val
    return out


settings_option = click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE",
                               help="Override a Scrapy/nianbao setting.")


def stage(data: str | None, name: str):
    """The archive-wide lock of a stage (``extract``, ``check``): a second process waits for the
    first, saying so on stderr, instead of doing the same work at the same time."""
    from storage.db import data_dir
    from storage.locks import stage_lock

    def waiting(holder) -> None:
        who = holder.describe() if holder else "another process"
        click.echo(f"nianbao: waiting for the {name} stage held by {who}", err=True)

    return stage_lock(data_dir(data), name, command=" ".join(sys.argv[1:3]) or name, on_wait=waiting)
