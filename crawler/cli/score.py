"""``nianbao score`` (scorecards under a rule pack), ``nianbao audit`` (the same with every
finding's evidence, as HTML or PDF) and ``nianbao review`` (a person confirms or dismisses
findings before they are published)."""

from __future__ import annotations

import csv
import json
import sys

import click

from crawler.cli.errors import fail
from crawler.cli.options import data_option, output_options, sources_option
from crawler.vocab.text import cell_text, one_line

CARD_CSV = (
    "source",
    "agency",
    "level",
    "region",
    "year",
    "status",
    "score",
    "earned",
    "counted_points",
    "max_points",
    "coverage",
    "rank",
    "tier_size",
    "tier_small",
    "previous_score",
    "change",
)


def _card_row(card: dict) -> list:
    tier = card["tier"]
    values = {**card, "tier_size": tier["size"], "tier_small": tier["small"]}
    return [cell_text(values[c]) for c in CARD_CSV] + [
        cell_text(f"{r['outcome']}{' (' + r['review']['decision'] + ')' if r['review'] else ''}")
        for r in card["results"]
    ]


@click.command()
@click.argument("source_ids", nargs=-1)
@data_option
@sources_option
@click.option("--year", type=int, help="Only this report year (the change is still from the year before).")
@click.option(
    "--pack", "pack_path", help="A rule pack file (TOML), or a shipped pack's name: default, local-example."
)
@click.option("--level", help="Only sources of this level (county, city_dept, …).")
@click.option(
    "--confirmed-only",
    is_flag=True,
    help="Score a fail only when a reviewer confirmed it (others count as uncertain): for publishing.",
)
@click.option(
    "--methodology",
    is_flag=True,
    help="Print the pack's methodology page (Markdown) and the rules' pass rates.",
)
@click.option("--rules", "list_rules", is_flag=True, help="List the rule catalogue a pack can score.")
@output_options("A JSON list of cards with every rule's result, evidence and review.", csv=True)
def score(
    source_ids,
    data,
    sources,
    year,
    pack_path,
    level,
    confirmed_only,
    methodology,
    list_rules,
    as_json,
    as_csv,
) -> None:
    """Scorecards: each (source, year) with a stored verdict scored under a rule pack.

    Each rule of the pack (see --rules) gives pass, fail, uncertain or n/a with the evidence it
    rests on (captures, the checks and cells compared, shared passages); the score is the points
    earned over the points counted (a conservative pack leaves uncertain rules out, a strict one
    counts them as earning nothing), ranked within the year and level (a tier of fewer than the
    pack's small_tier is marked small), with the change from the year before. Review decisions
    (nianbao review) are applied: a dismissed fail counts as a pass, and with --confirmed-only an
    unconfirmed fail counts as uncertain. Run nianbao check first (and nianbao similar for the
    originality rules); exit 2 when no stored verdict matches.
    """
    from crawler.registry import load_registry
    from crawler.registry.sources import select_sources
    from crawler.scorecard.methodology import methodology as render_methodology
    from crawler.scorecard.pack import load_pack
    from crawler.scorecard.rules import CATALOGUE
    from crawler.stages.score import run_score
    from storage.db import DB_NAME, data_dir, open_db
    from storage.review import latest, open_review

    if list_rules:
        for rule in CATALOGUE.values():
            params = f"  [{', '.join(f'{k}={v}' for k, v in rule.params.items())}]" if rule.params else ""
            click.echo(f"{rule.id:<26} {rule.title} / {rule.title_zh}{params}\n{'':<26} {rule.measures}")
        return
    pack = load_pack(pack_path)
    if methodology and not (data_dir(data) / DB_NAME).exists():  # the method alone, no results
        click.echo(render_methodology(pack), nl=False)
        return
    db = open_db(data, create=False)
    selected = select_sources(load_registry(sources, data), list(source_ids) or None, include_disabled=True)
    if level:
        selected = [s for s in selected if s.level == level]
    reviews = latest(open_review(data, readonly=True))
    cards = run_score(db, selected, pack, year=year, reviews=reviews, confirmed_only=confirmed_only)
    if methodology:
        click.echo(render_methodology(pack, cards), nl=False)
        return
    if not cards:
        fail("no stored verdict matches: run nianbao check first (or widen the selection)", 2)
    rows = [c.as_dict() for c in cards]
    if as_json:
        json.dump(
            {"pack": pack.name, "mode": pack.mode, "confirmed_only": confirmed_only, "cards": rows},
            sys.stdout,
            ensure_ascii=False,
            indent=1,
        )
        sys.stdout.write("\n")
        return
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow([*CARD_CSV, *(i.rule for i in pack.items)])
        for row in rows:
            writer.writerow(_card_row(row))
        return
    for c in sorted(cards, key=lambda c: (c.year, c.level or "", c.rank or 10**9, c.source)):
        s = "  —  " if c.score is None else f"{c.score:5.1f}"
        rank = f"{c.rank}/{c.tier_size}{'*' if c.tier_small else ''}" if c.rank else "-"
        change = "" if c.change is None else f" {c.change:+.1f}"
        fails = [
            f"{i.item.rule}{'✓' if i.review and i.review['decision'] == 'confirmed' else ''}"
            for i in c.items
            if i.result.outcome == "fail"
        ]
        click.echo(
            f"{s} {rank:>8}{change:>7}  {c.year} {c.level or '-':<12} {c.source:<22} {one_line(c.agency, 24)}"
            f"{'  fails: ' + ', '.join(fails) if fails else ''}"
        )
    scored = sum(1 for c in cards if c.score is not None)
    click.echo(
        f"{len(cards)} card(s) under pack {pack.name} ({pack.mode}), {scored} scored; rank a/b* = a tier of fewer "
        f"than {pack.small_tier}; ✓ = confirmed by review",
        err=True,
    )


@click.command()
@click.argument("source_ids", nargs=-1)
@data_option
@sources_option
@click.option("--year", type=int, help="Only this report year.")
@click.option("--region", help="Only sources whose region code (行政区划代码) starts with this.")
@click.option("--pack", "pack_path", help="A rule pack file (TOML), or a shipped pack's name.")
@click.option(
    "--confirmed-only", is_flag=True, help="Count only fails a reviewer confirmed (see nianbao score)."
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="FILE.html (one self-contained page) or FILE.pdf (printed by headless Chromium).",
)
@click.option("--chromium", help="The Chromium/Chrome executable (default: found on PATH).")
@click.option(
    "--images",
    default=2,
    show_default=True,
    type=click.IntRange(0, 20),
    help="Images of the captures behind each card's findings (HTML pages need Chromium; 0: none).",
)
def audit(source_ids, data, sources, year, region, pack_path, confirmed_only, out, chromium, images) -> None:
    """An audit report: the scorecards of the selected sources (one agency-year, an agency, a
    region) with every finding, its evidence (captures: time, URL, archived copy id) and dates,
    images of the captures behind the findings (rendered from the archived copies offline: the
    first page of a PDF; an HTML page with scripts off and nothing loaded) and the review
    decisions — as HTML, or as PDF printed from that HTML by headless Chromium.
    Exit 2 when nothing matches (run nianbao check first)."""
    from pathlib import Path

    from crawler.outputs.snapshots import find_chromium, snapshot
    from crawler.registry import load_registry
    from crawler.registry.sources import select_sources
    from crawler.scorecard.pack import load_pack
    from crawler.stages.score import run_score
    from crawler.vocab import clock
    from crawler.vocab.errors import ConfigError
    from crawler.web.audit import evidence_fetches, html_to_pdf, render_audit
    from storage.db import data_dir, open_db
    from storage.review import latest, open_review

    target = Path(out)
    if target.suffix.lower() not in (".html", ".pdf"):
        fail("--out must end in .html or .pdf", 2)
    pack = load_pack(pack_path)
    db = open_db(data, create=False)
    selected = select_sources(load_registry(sources, data), list(source_ids) or None, include_disabled=True)
    if region:
        selected = [s for s in selected if (s.region or "").startswith(region)]
    reviews = latest(open_review(data, readonly=True))
    cards = run_score(db, selected, pack, year=year, reviews=reviews, confirmed_only=confirmed_only)
    if not cards:
        fail("no stored verdict matches: run nianbao check first (or widen the selection)", 2)
    cards.sort(key=lambda c: (c.region or "", c.source, c.year))
    agencies = sorted({c.agency for c in cards})
    what = (
        agencies[0]
        if len(agencies) == 1
        else f"{len(agencies)} 个机关 agencies" + (f" · {region}" if region else "")
    )
    title = f"年度报告评估审计 Audit: {what}" + (f" · {year}" if year else "")
    as_of = max((c.extra["verdict"].get("as_of") or "" for c in cards), default="") or "—"
    shots: dict[int, list] = {}
    if images:
        browser = None
        try:
            browser = find_chromium(chromium)
        except ConfigError:
            click.echo("nianbao: no Chromium: HTML captures get no image (PDF pages still do)", err=True)
        root = data_dir(data)
        for i, card in enumerate(cards):
            for fetch_id in evidence_fetches(card):
                if len(shots.get(i, [])) >= images:
                    break
                shot = snapshot(db, root, fetch_id, browser)
                if shot is not None:
                    shots.setdefault(i, []).append(shot)
    page = render_audit(
        cards,
        pack,
        title=title,
        as_of=as_of,
        generated_at=clock.now_iso(),
        confirmed_only=confirmed_only,
        images=shots,
    )
    if target.suffix.lower() == ".pdf":
        html_to_pdf(page, target, chromium=chromium)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
    click.echo(f"wrote {target} ({len(cards)} scorecard(s))")


@click.group()
def review() -> None:
    """Confirm or dismiss findings (flags, scorecard rule results) before publishing.

    Decisions are kept in DATA/review.db, apart from the crawled archive, with their history
    (who, when, the note). TARGET is a flag's number (#12 or 12), a flag key
    (compliance:SOURCE:YEAR, copied:SOURCE:REPORT:KIND, …) or a rule result key
    (rule:SOURCE:YEAR:RULE, as nianbao score --json prints it). Flags exports and scorecards say
    which findings were confirmed.
    """


def _target(data: str | None, target: str) -> str:
    """A validated review target key (a flag number becomes its key); the archive is only read."""
    from storage.db import open_readonly

    with open_readonly(data) as db:
        if db is None:
            fail("no archive here (pass --data)", 2)
        return _target_in(db, target)


def _target_in(db, target: str) -> str:
    from crawler.scorecard.rules import CATALOGUE
    from storage.compliance import flag_key_of, has_flag, has_verdict

    number = target.removeprefix("#")
    if number.isdigit():
        key = flag_key_of(db, int(number))
        if key is None:
            fail(f"no flag #{number}", 2)
        return key
    if target.startswith("rule:"):
        parts = target.split(":")
        if len(parts) != 4 or not parts[2].isdigit() or parts[3] not in CATALOGUE:
            fail(
                f"a rule result key is rule:SOURCE:YEAR:RULE with a rule of nianbao score --rules, got {target!r}",
                2,
            )
        if not has_verdict(db, parts[1], int(parts[2])):
            fail(f"no stored verdict of {parts[1]} {parts[2]} (run nianbao check)", 2)
        return target
    if not has_flag(db, target):
        fail(f"no flag with key {target!r} (see nianbao flags --json)", 2)
    return target


def _decide(decision: str):
    @click.command(name={"confirmed": "confirm", "dismissed": "dismiss", "withdrawn": "withdraw"}[decision])
    @click.argument("targets", nargs=-1, required=True)
    @data_option
    @click.option("--note", default="", help="Why (kept with the decision; required to dismiss).")
    @click.option("--by", "by", help="Who decides (default: the user name).")
    def command(targets, data, note, by) -> None:
        from crawler.vocab import clock
        from storage.review import decide, default_reviewer, open_review

        if decision == "dismissed" and not note.strip():
            fail("dismissing a finding needs a --note saying why", 2)
        keys = [_target(data, t) for t in targets]
        db = open_review(data)
        assert db is not None
        for key in keys:
            row = decide(db, key, decision, note, at=clock.now_iso(), by=by or default_reviewer())
            click.echo(f"{row['decision']}: {key}")

    command.help = {
        "confirmed": "Confirm findings: a person checked the evidence and the claim holds.",
        "dismissed": "Dismiss findings: the claim does not hold (a --note says why); a dismissed fail scores as a pass.",
        "withdrawn": "Withdraw the standing decision on findings (history is kept).",
    }[decision]
    return command


@click.command(name="list")
@data_option
@click.option("--pending", is_flag=True, help="Only open flags nobody has decided on.")
@click.option("--kind", help="Only flags of this kind.")
@output_options("A JSON list of open flags with their standing decision.")
def review_list(data, pending, kind, as_json) -> None:
    """Open flags with their standing decision (and decided rule results)."""
    from storage import compliance as store
    from storage.db import open_db
    from storage.review import latest, open_review

    db = open_db(data, create=False)
    decisions = latest(open_review(data, readonly=True))
    rows = store.query_flags(db, kind=kind, year=None, agency=None, source=None, state="open")
    out = []
    for row in rows:
        decision = decisions.get(row["key"])
        if pending and decision:
            continue
        out.append(
            {
                "id": row["id"],
                "key": row["key"],
                "kind": row["kind"],
                "summary": row["summary"],
                "review": decision,
            }
        )
    if not pending:
        out.extend(
            {"id": None, "key": key, "kind": "rule", "summary": "", "review": d}
            for key, d in decisions.items()
            if key.startswith("rule:")
        )
    if as_json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    for r in out:
        state = r["review"]["decision"] if r["review"] else "pending"
        ident = f"#{r['id']}" if r["id"] else ""
        click.echo(f"{state:<10} {ident:<7} {r['key']}  {one_line(r['summary'], 80)}")
    click.echo(f"{len(out)} finding(s)", err=True)


@click.command(name="history")
@click.argument("target")
@data_option
@output_options("A JSON list of decisions.")
def review_history(target, data, as_json) -> None:
    """Every decision on one finding, oldest first."""
    from storage.review import history, open_review

    rows = history(open_review(data, readonly=True), _target(data, target))
    if as_json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    for r in rows:
        click.echo(f"{r['decided_at']}  {r['decision']:<10} {r['decided_by']}  {one_line(r['note'], 100)}")
    if not rows:
        click.echo("no decision yet", err=True)


for _decision in ("confirmed", "dismissed", "withdrawn"):
    review.add_command(_decide(_decision))
review.add_command(review_list)
review.add_command(review_history)

COMMANDS = [score, audit, review]
