"""The ``nianbao`` command line (DESIGN §7): the click group and one module per command family.

Commands only parse options, call a stage or a storage function, and print; the logic lives in
the packages below.  Project errors become exit codes in one place (:mod:`crawler.cli.errors`):
0 ok, 1 runtime failure, 2 usage or configuration error.
"""

from __future__ import annotations

import click

from crawler import __version__
from crawler.cli import (
    archive,
    compliance,
    crawl,
    demo,
    discover,
    schedule,
    score,
    sim,
    similar,
    sources,
    text,
    web,
)
from crawler.cli.errors import NianbaoGroup

FAMILIES = (crawl, text, similar, compliance, score, archive, sources, discover, schedule, sim, web, demo)


@click.group(cls=NianbaoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nianbao")
def cli() -> None:
    """nianbao (年报): collect, archive and check government information-disclosure annual reports.

    --data DIR (or NIANBAO_DATA) and --sources FILE (or NIANBAO_SOURCES; by default the registry
    the data directory remembers) mean the same on every command. Exit codes: 0
    ok, 1 runtime failure, 2 usage or configuration error. Run nianbao COMMAND --help for each
    command.
    """


for _family in FAMILIES:
    for _command in _family.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli()
