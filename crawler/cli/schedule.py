"""``nianbao schedule``: the APScheduler daemon (``--list`` prints the jobs and their next runs)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from crawler.cli.errors import fail
from crawler.cli.options import data_option, output_options, parse_settings, settings_option, sources_option


@click.command()
@data_option
@sources_option
@click.option(
    "--profile",
    type=click.Choice(["polite", "sim"]),
    default="polite",
    show_default=True,
    help="Pacing of the runs: 'polite' for real portals; 'sim' for the local simulator only.",
)
@settings_option
@click.option("--list", "list_only", is_flag=True, help="Print the jobs and their next run times, then exit.")
@output_options("With --list: one JSON object per job.")
@click.option(
    "--health-port",
    type=click.IntRange(0, 65535),
    help="Also serve GET /health on 127.0.0.1:PORT (200 ok, 503 with the problems).",
)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
    help="Stop once nianbao's clock reaches this time (China time), after the running run.",
)
@click.option(
    "--finish-on-stop",
    is_flag=True,
    help="On SIGTERM/Ctrl-C let the running run finish (a second signal interrupts it) instead of "
    "interrupting it cleanly at once.",
)
@click.option("--quiet", is_flag=True, help="Log to the file only, not to stderr.")
def schedule(
    data, sources, profile, settings, list_only, as_json, health_port, until, finish_on_stop, quiet
) -> None:
    """Run crawl → extract → check → notify for every source group on the season-aware cadence.

    The daemon: one job per source group (dept, region, township, override-MMDD: sources sharing
    a deadline), each running nianbao run --group G in a subprocess daily in the report season
    (default 1 January to 15 April), weekly (Monday) the rest of the year, and on the day after
    each deadline and after deadline + grace, at 02:00–04:00 China time with a reproducible jitter
    per group (settings NIANBAO_SCHEDULE_*). One run at a time; a run past NIANBAO_RUN_TIMEOUT gets
    SIGTERM, then SIGKILL. The registry is re-read every five minutes and on SIGHUP.

    Jobs are stored in DATA/scheduler.db (a restart keeps their next runs; runs missed while it was
    down run once at start if no older than NIANBAO_MISFIRE_GRACE), logs go to
    DATA/logs/nianbao.log and the state to DATA/status.json. SIGTERM or Ctrl-C stop it gracefully:
    no new runs, the running run is interrupted cleanly (or, with --finish-on-stop, let finish),
    then exit 0. Failing and recovered runs are reported to NIANBAO_NOTIFY_URLS.

    --list prints each job instead: group, number of sources, deadline and basis, next run time
    and why (a stored job shows its stored next run, and overdue when the scheduler was down).

    Exit 2 when no enabled source is left to schedule, the schedule settings are invalid, or
    another scheduler runs on the data directory. See "Running unattended" in the README for
    systemd and cron.
    """
    import scheduler as sched
    from crawler.logs import setup_file_logging
    from crawler.registry import load_registry
    from crawler.stages.crawl import build_settings
    from crawler.vocab import clock
    from crawler.vocab.errors import ConfigError
    from storage.db import data_dir
    from storage.locks import LockTimeout, stage_lock

    overrides = parse_settings(settings)
    conf = build_settings(overrides, profile)
    root = str(data_dir(data).resolve())
    try:
        cadence = sched.cadence_from_settings(conf)
    except ValueError as exc:
        raise ConfigError(f"schedule settings: {exc}") from exc
    options = sched.RunOptions(
        data=root,
        sources=str(Path(sources).resolve()) if sources else None,
        profile=profile,
        settings=tuple(sorted(overrides.items())),
        timeout=conf.getfloat("NIANBAO_RUN_TIMEOUT"),
        kill_after=conf.getfloat("NIANBAO_RUN_KILL_AFTER"),
    )
    township = conf.get("NIANBAO_TOWNSHIP_DEADLINE")

    grace = conf.getfloat("NIANBAO_MISFIRE_GRACE")

    def specs():  # raises ConfigError: a registry broken while the daemon runs must not stop it
        return sched.job_specs(
            load_registry(sources, root), cadence, options, township_default=township, misfire_grace=grace
        )

    first = specs()
    if not first:
        fail("no enabled source to schedule (see nianbao sources list --all)", 2)
    if list_only:
        _print_jobs(sched, root, grace, first, as_json)
        return
    setup_file_logging(
        root,
        max_bytes=conf.getint("NIANBAO_LOG_MAX_BYTES"),
        backups=conf.getint("NIANBAO_LOG_BACKUPS"),
        console=not quiet,
    )
    until_at = until.replace(tzinfo=clock.CHINA_TZ) if until else None
    daemon = sched.Daemon(
        options,
        specs,
        misfire_grace=conf.getfloat("NIANBAO_MISFIRE_GRACE"),
        until=until_at,
        health_port=health_port,
        health=lambda: _health(sources, root),
        finish_on_stop=finish_on_stop,
        alert=lambda title, lines: _alert(conf, title, lines),
    )
    try:  # one scheduler per data directory: two would run every group twice
        with stage_lock(root, "scheduler", command="nianbao schedule", wait=0):
            code = daemon.run()
    except LockTimeout as exc:
        fail(f"another scheduler is running on {root}: {exc}", 2)
    raise SystemExit(code)


def _print_jobs(sched, root: str, grace: float, specs, as_json: bool) -> None:
    """The configured jobs; for one already stored, its stored next run (a missed run shows)."""
    from crawler.vocab import clock

    scheduler = sched.build_scheduler(root, misfire_grace=grace)
    scheduler.start(paused=True)
    try:
        stored = {job["id"]: job for job in sched.describe_jobs(scheduler)}
    finally:
        scheduler.shutdown(wait=False)
    now = clock.now()
    for spec in specs:
        real_next = spec.trigger.get_next_fire_time(None, clock.to_real(now))
        job = stored.get(spec.id)
        planned = clock.from_real(real_next).isoformat(timespec="seconds") if real_next else None
        row = {
            "id": spec.id,
            "group": spec.group.name,
            "deadline": spec.group.deadline,
            "basis": spec.group.basis,
            "sources": len(spec.group.source_ids),
            "next_run": job["next_run"] if job else planned,
            "reason": job["reason"] if job else (spec.trigger.reason_at(real_next) if real_next else ""),
            "stored": job is not None,
            "overdue": bool(job and job["overdue"]),
        }
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        late = "  (overdue: runs when the scheduler starts)" if row["overdue"] else ""
        click.echo(
            f"{row['id']:<22} {row['sources']:>6} sources  deadline {row['deadline']} ({row['basis']})\n"
            f"{'':<22} next {row['next_run'] or 'never'}  {row['reason']}{late}"
        )
    for job_id in sorted(set(stored) - {s.id for s in specs}):
        click.echo(f"{job_id:<22} stored but no longer configured: removed when the scheduler starts")


def _health(sources: str | None, root: str) -> tuple[dict[str, int], list[str], list[str]]:
    """Counts of source health states, and the broken and blocked source ids."""
    from collections import Counter

    from crawler.health import health_rows
    from crawler.registry import load_registry
    from crawler.vocab import clock
    from storage.db import open_db

    if not (Path(root) / "archive.db").exists():
        return {}, [], []
    db = open_db(root, create=False)
    try:
        rows = health_rows(db, load_registry(sources, root), clock.now())
    finally:
        db.close()
    counts = Counter(r["health"] for r in rows)
    return (
        dict(counts),
        [r["source"] for r in rows if r["health"] == "broken"],
        [r["source"] for r in rows if r["health"] == "blocked"],
    )


def _alert(conf, title: str, lines: list[str]) -> None:
    """Send a scheduler alert to ``NIANBAO_NOTIFY_URLS`` (nothing when none is configured)."""
    import logging

    from crawler.outputs.notify import deliver_message
    from crawler.stages.publish import notify_urls

    urls = notify_urls(conf)
    for result in deliver_message(urls, title, lines) if urls else []:
        if not result.ok:
            logging.getLogger("nianbao.schedule").error(
                "alert to %s failed: %s", result.url_redacted, result.error
            )


COMMANDS = [schedule]
