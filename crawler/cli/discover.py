"""``nianbao discover``: from portal pages to proposed registry entries."""

from __future__ import annotations

import json

import click

from crawler.cli.errors import fail
from crawler.cli.options import data_option, output_options, parse_settings, profile_option, settings_option


@click.command()
@click.argument("urls", nargs=-1, required=True)
@data_option
@click.option(
    "--depth", default=4, show_default=True, type=click.IntRange(0, 8), help="Clicks from each URL."
)
@click.option(
    "--max-pages", default=60, show_default=True, type=click.IntRange(1, 2000), help="Pages fetched per URL."
)
@click.option(
    "--strategy",
    type=click.Choice(["best", "bfs"]),
    default="best",
    show_default=True,
    help="best: the most promising links first; bfs: every link of the site breadth first (a baseline).",
)
@profile_option
@output_options("Print the proposals as JSON (with their evidence).")
@settings_option
def discover(urls, data, depth, max_pages, strategy, profile, as_json, settings) -> None:
    """Find annual-report columns from portal pages and propose registry entries.

    Starts at each URL (a portal's home page, its 政府信息公开 platform page or a 专栏 page) and
    follows, best first and politely, the links real portals use to reach 年报 columns:
    政务公开 / 政府信息公开 → 政府信息公开年报, and index pages of 部门年报 / 乡镇（街道）年报
    that list many bodies' columns by name (menus written by scripts or loaded from JSON/XML
    endpoints included), at most --depth clicks and --max-pages pages per URL, never off the
    portal's site. A page is a column when it lists annual reports (the crawl's own title
    recogniser; decoys such as 统计公报, 工作要点 or the report template's notice are not). Each
    column becomes a proposed [[source]] entry — the body named by its reports, else by the
    index page that links it, else by the site; level and kind from that name — printed as TOML
    with its evidence (the pages followed, the report years seen, the confidence) in comments;
    a column it is not sure of is printed commented out with the reason. Every page fetched is
    archived in --data like a crawl (runs.command = discover).

    Exit 1 when no column was found (the lines on stderr say what each URL led to).
    """
    from crawler.registry.proposals import propose, render_toml
    from crawler.stages.discover import run_discover

    result = run_discover(
        list(urls),
        data=data,
        depth=depth,
        max_pages=max_pages,
        strategy=strategy,
        profile=profile,
        overrides=parse_settings(settings),
    )
    proposals = propose(result.found)
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in proposals], ensure_ascii=False, indent=1))
    else:
        click.echo(render_toml(proposals), nl=False)
    for start, pages in result.pages.items():
        n = sum(1 for p in proposals if p.evidence.get("start") == start and not p.doubt)
        unsure = sum(1 for p in proposals if p.evidence.get("start") == start and p.doubt)
        rejected = result.rejected.get(start) or {}
        extra = f"; lists that are not report columns: {sum(rejected.values())}" if rejected else ""
        click.echo(
            f"nianbao: {start}: {pages} page(s), {n} column(s){f', {unsure} unsure' if unsure else ''}{extra}",
            err=True,
        )
    for url, why in result.failures[:10]:
        click.echo(f"nianbao: could not read {url}: {why}", err=True)
    if not proposals:
        fail("no annual-report column found (is the URL a portal page? try --depth)")


COMMANDS = [discover]
