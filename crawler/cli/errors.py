"""The one place where project errors become exit codes and ``nianbao: …`` messages.

Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error (a bad registry or setting,
no archive where one is needed, an unknown source).  Commands raise the project's errors
(:mod:`crawler.vocab.errors`); :class:`NianbaoGroup` turns them into a message and an exit code,
so a command only calls :func:`fail` for conditions it detects itself.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from crawler.vocab.errors import ArchiveMissing, ConfigError, NianbaoError, UsageError

EXIT_FAILURE = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    """Print ``nianbao: message`` to stderr and exit with ``code``."""
    click.echo(f"nianbao: {message}", err=True)
    sys.exit(code)


def exit_code(exc: NianbaoError) -> int:
    """The exit status of a project error: 2 for configuration, a bad argument and a missing
    archive, else 1."""
    return EXIT_USAGE if isinstance(exc, ConfigError | ArchiveMissing | UsageError) else EXIT_FAILURE


class NianbaoGroup(click.Group):
    """A click group whose commands' project errors end as one line and an exit code, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NianbaoError as exc:
            fail(str(exc), exit_code(exc))
