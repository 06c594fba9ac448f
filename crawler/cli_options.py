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
