"""``nianbao sim``: serve the portal simulator (:mod:`portalsim`), print its registry and its truth."""

from __future__ import annotations

import json

import click


@click.group()
def sim() -> None:
    """The portal simulator: a deterministic world of agencies served on 127.0.0.1.

    The same --seed and --agencies give the same world in serve, sources and truth: serve it,
    crawl it with the registry from sources (nianbao crawl --sources FILE --profile sim), and
    compare the verdicts with truth.
    """


seed_option = click.option("--seed", type=int, default=7, show_default=True)
agencies_option = click.option("--agencies", type=click.IntRange(1, 200_000), default=50, show_default=True)
today_option = click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Serve the world as of this date."
)


@sim.command("serve")
@seed_option
@agencies_option
@today_option
@click.option("--port", type=int, default=0, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--no-troubles", is_flag=True, help="No 5xx bursts or slow responses (blocked sites stay).")
def sim_serve(seed: int, agencies: int, today, port: int, no_troubles: bool) -> None:
    """Serve the world; prints its base URL, runs until interrupted.

    Every agency's portal and annual-report column as of --today, in the CMS families of
    docs/families.md, with blocked sites and (unless --no-troubles) 5xx bursts and slow responses.
    """
    from portalsim import serve_forever

    serve_forever(seed, agencies, today.date(), port=port, troubles=not no_troubles)


@sim.command("sources")
@seed_option
@agencies_option
@click.option("--base-url", required=True, help="Base URL printed by 'nianbao sim serve'.")
def sim_sources(seed: int, agencies: int, base_url: str) -> None:
    """Print the sources registry (TOML) of the world.

    The registry of the simulator serving at --base-url (same --seed and --agencies); save it and
    pass the file to --sources:

    \b
      nianbao sim sources --seed 7 --agencies 50 --base-url URL > sources.toml
    """
    from portalsim import render_sources_toml

    click.echo(render_sources_toml(seed, agencies, base_url.rstrip("/")), nl=False)


@sim.command("truth")
@seed_option
@agencies_option
@today_option
def sim_truth(seed: int, agencies: int, today) -> None:
    """Print the world's truth as of --today (JSON list, DESIGN §7).

    One record per agency and report year: source, agency, year, deadline, published_on, status
    (on_time, late, missing, pending), reachable, edited and url. nianbao demo scores its crawl
    and verdicts against it.
    """
    from portalsim import truth_records

    click.echo(json.dumps(list(truth_records(seed, agencies, today.date())), ensure_ascii=False, indent=1))


COMMANDS = [sim]
