"""``nianbao serve``: the archive, the compliance grid and Chinese search in a browser."""

from __future__ import annotations

import click

from crawler.cli.options import data_option, sources_option


@click.command()
@data_option
@sources_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (only this machine by default)."
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port)."
)
@click.option(
    "--time-limit",
    default=5.0,
    show_default=True,
    type=click.FloatRange(0.1, 120),
    help="Seconds a page's queries may take before it answers 503.",
)
@click.option(
    "--review",
    "review_mode",
    is_flag=True,
    help="Let the flags page take review decisions (confirm, dismiss, withdraw with a note), "
    "written to DATA/review.db only; forms carry a per-process token and are refused from "
    "any other origin.",
)
@click.option("--reviewer", help="The name decisions are recorded under (default: the user name).")
def serve(
    data: str | None,
    sources: str | None,
    host: str,
    port: int,
    time_limit: float,
    review_mode: bool,
    reviewer: str | None,
) -> None:
    """Read-only web UI over the archive: grid, verdicts, reports, search, flags.

    Opens DATA/archive.db read-only (nothing is created, migrated or written; a crawl may run at
    the same time) and serves, on http://HOST:PORT/: the home page (counts, source health, newest
    reports and flags, the scheduler), the compliance grid (agency x year, filters, roll-ups by
    level and province), a page per verdict with its evidence and archived captures (and the
    evidence bundle as a zip), per agency and per report (dates with provenance, versions with a
    text diff, tables, checks, the archived originals), full-text search (1-2-character terms
    included, facets, highlighted snippets) and a query over the parsed numbers, and the flags.
    Every list has .csv, .json and (for reports, search and flags) .atom twins with the same
    filters. Binds 127.0.0.1 unless --host says otherwise; prints the URL when it is ready. An
    archive made by an older version is migrated once at start (as any command does); the server
    itself never writes to it. With --review the flags page also takes review decisions (nianbao
    review), written to DATA/review.db only. Exit 1 when there is no archive.
    """
    import uvicorn

    from crawler.web.app import create_app
    from storage.db import open_db

    # an archive of an older version gets its pending migrations first, like on any command;
    # from then on the server only reads (mode=ro, query_only)
    open_db(data, create=False).close()
    desk = None
    if review_mode:
        from crawler.web.views.review import LOCAL_NAMES, ReviewDesk
        from storage.db import data_dir
        from storage.review import default_reviewer

        bound = () if host in ("0.0.0.0", "::", "") else (host.strip("[]"),)
        desk = ReviewDesk(data_dir(data), reviewer or default_reviewer(), hosts=(*LOCAL_NAMES, *bound))
    app = create_app(data, sources=sources, time_limit=time_limit, review_desk=desk)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, server_header=False
    )
    server = uvicorn.Server(config)

    async def announce() -> None:
        for s in server.servers:
            for sock in s.sockets:
                bound = sock.getsockname()
                shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
                click.echo(f"nianbao serve: http://{shown}:{bound[1]}/ (read-only; Ctrl-C stops)", err=True)

    original = server.startup

    async def startup(sockets=None) -> None:
        await original(sockets=sockets)
        await announce()

    server.startup = startup  # type: ignore[method-assign]
    server.run()


COMMANDS = [serve]
