"""``nianbao schedule``: the APScheduler daemon that keeps the archive current for months.

One job per source group (:mod:`crawler.cadence`: sources whose reports share a deadline),
each on a :class:`SeasonTrigger`: daily in report season, weekly outside it, and always the day
after the group's deadline and after deadline + grace.  A job runs ``nianbao run --group G``
(crawl → extract → check → notify) in a subprocess of its own: a Twisted reactor runs once per
process, and a crashed or hung run must never take the scheduler down.

Guarantees, and where they come from:

* jobs live in a SQLAlchemy job store on SQLite (``DATA/scheduler.db``); on start the jobs
  are reconciled with the registry and settings, and a job whose configuration did not change
  keeps its stored next run time, so runs missed while the scheduler was down are **coalesced**
  into one catch-up run (when no later than ``NIANBAO_MISFIRE_GRACE``);
* at most one instance of a job runs (``max_instances=1``): a trigger that fires while the
  previous run is still going is skipped and logged, never started twice; jobs run one at a
  time (one worker), and across processes the source claims of :mod:`storage.locks` keep a
  manual ``nianbao crawl`` off the sources a scheduled run is writing;
* a run past ``NIANBAO_RUN_TIMEOUT`` gets SIGTERM (Scrapy closes the crawl cleanly and the
  sources are recorded ``interrupted``), then SIGKILL after ``NIANBAO_RUN_KILL_AFTER``;
* SIGTERM/SIGINT stop the daemon gracefully: no new runs, the running one is passed SIGTERM and
  waited for, so the archive is left whole (``nianbao verify`` accepts it); its sources are
  crawled again, incrementally, by the next run;
* everything is logged to ``DATA/logs/nianbao.log`` (rotating), and ``DATA/status.json`` (and
  ``--health-port``) says what is running, what failed and which sources are broken.

Scrapy's JOBDIR is deliberately not used for resuming: its persisted duplicate filter would make
the resumed run skip listing pages already read, and a run that has not read a column cannot
prove a report absent.  Re-reading listings with conditional requests costs little.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from crawler.cadence import Cadence, Group, next_fire, parse_season, parse_weekday, source_groups
from crawler.opstatus import FAILED_OUTCOMES, StatusBoard, serve_health, status_path
from crawler.vocab import clock
from crawler.vocab.clock import CHINA_TZ
from crawler.vocab.errors import ConfigError

log = logging.getLogger("nianbao.schedule")

STORE_NAME = "scheduler.db"
JOB_FUNC = "scheduler:run_group"
HEARTBEAT_SECONDS = 30.0
BOARD = StatusBoard()


# -- triggers ------------------------------------------------------------------------------
class SeasonTrigger(BaseTrigger):
    """An APScheduler trigger for one group's cadence, computed on nianbao's clock.

    APScheduler waits in real time; a simulated clock (``NIANBAO_CLOCK_RATE``) is mapped to
    real instants and back, so a test lives through a report season in a minute while
    APScheduler's own coalescing, misfire and max-instance logic run unchanged.
    """

    def __init__(self, group: str, deadline: str, cadence: Cadence) -> None:
        self.group = group
        self.deadline = deadline
        self.cadence = cadence

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        if previous_fire_time is None:
            nxt = next_fire(self.group, self.deadline, self.cadence, _virtual(now), inclusive=True)
            return clock.to_real(nxt[0]) if nxt else None
        after = _virtual(previous_fire_time)
        while True:  # on a very fast simulated clock, rounding could land on the previous fire again
            nxt = next_fire(self.group, self.deadline, self.cadence, after)
            if nxt is None or clock.to_real(nxt[0]) > previous_fire_time:
                return clock.to_real(nxt[0]) if nxt else None
            after = nxt[0]

    def reason_at(self, real: datetime) -> str:
        """Why the group runs at this (real) fire time."""
        nxt = next_fire(self.group, self.deadline, self.cadence, _virtual(real), inclusive=True)
        return nxt[1] if nxt else ""

    def __str__(self) -> str:
        c = self.cadence
        return (
            f"season[{self.group}: {c.hour:02d}:00+{c.jitter_minutes}min, daily {'/'.join(c.season)}, "
            f"weekday {c.weekday}, deadline {self.deadline}+1/+{c.grace_days + 1}]"
        )

    def __repr__(self) -> str:
        return f"<SeasonTrigger {self}>"

    def __getstate__(self) -> dict:
        return {"version": 1, "group": self.group, "deadline": self.deadline, "cadence": self.cadence}

    def __setstate__(self, state: dict) -> None:
        self.group, self.deadline, self.cadence = state["group"], state["deadline"], state["cadence"]


def _virtual(real: datetime) -> datetime:
    """The clock reading at a real instant, to whole seconds (fire times are whole seconds, and
    the round trip through a warped clock must not land a hair before the last fire)."""
    return (clock.from_real(real) + timedelta(microseconds=500_000)).replace(microsecond=0)


# -- configuration -> jobs -------------------------------------------------------------------
@dataclass(frozen=True)
class RunOptions:
    """How every scheduled ``nianbao run`` is started."""

    data: str
    sources: str | None = None
    profile: str = "polite"
    settings: tuple[tuple[str, str], ...] = ()
    timeout: float = 6 * 3600
    kill_after: float = 300


@dataclass(frozen=True)
class JobSpec:
    """One job the configuration asks for."""

    id: str
    group: Group
    trigger: SeasonTrigger
    kwargs: dict[str, Any] = field(hash=False)
    misfire_grace: float = 7 * 24 * 3600  # clock seconds

    def real_grace(self) -> int:
        """The misfire grace in real seconds (a simulated clock runs faster)."""
        return max(1, int(self.misfire_grace / (clock.rate() or 1.0)))

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything that shapes the job changes (kept as the job's name)."""
        text = repr(
            (
                self.id,
                self.group.deadline,
                self.trigger.cadence,
                sorted(self.kwargs.items()),
                self.real_grace(),
            )
        )
        return f"{self.id} {hashlib.blake2b(text.encode(), digest_size=6).hexdigest()}"


def cadence_from_settings(settings) -> Cadence:
    """The cadence of ``NIANBAO_SCHEDULE_*`` and ``NIANBAO_GRACE_DAYS`` (a Scrapy Settings)."""
    return Cadence(
        hour=settings.getint("NIANBAO_SCHEDULE_HOUR"),
        jitter_minutes=settings.getint("NIANBAO_SCHEDULE_JITTER_MINUTES"),
        season=parse_season(settings.get("NIANBAO_SCHEDULE_SEASON") or ""),
        weekday=parse_weekday(settings.get("NIANBAO_SCHEDULE_WEEKDAY") or ""),
        grace_days=settings.getint("NIANBAO_GRACE_DAYS"),
    )


def job_specs(
    sources,
    cadence: Cadence,
    options: RunOptions,
    *,
    township_default: str,
    misfire_grace: float = 7 * 24 * 3600,
    year: int | None = None,
) -> list[JobSpec]:
    """One job per group of the enabled sources (report year: last year by nianbao's clock)."""
    year = year if year is not None else clock.today().year - 1
    specs = []
    for group in source_groups(sources, year=year, township_default=township_default):
        kwargs = {
            "group": group.name,
            "data": options.data,
            "sources": options.sources,
            "profile": options.profile,
            "settings": dict(options.settings),
            "timeout": options.timeout,
            "kill_after": options.kill_after,
        }
        specs.append(
            JobSpec(
                f"crawl:{group.name}",
                group,
                SeasonTrigger(group.name, group.deadline, cadence),
                kwargs,
                misfire_grace,
            )
        )
    return specs


# -- the job: one `nianbao run` subprocess -----------------------------------------------------
_RUNNING: dict[str, subprocess.Popen] = {}
_RUNNING_LOCK = threading.Lock()
_STOPPING = threading.Event()  # the daemon is stopping: start no more runs
_SIGNALLED: set[str] = set()  # jobs whose run the daemon passed a stop signal to


def run_command(
    group: str, data: str, sources: str | None, profile: str, settings: Mapping[str, str]
) -> list[str]:
    """The argv of one scheduled run."""
    argv = [
        sys.executable,
        "-m",
        "crawler.cli",
        "run",
        "--group",
        group,
        "--data",
        data,
        "--profile",
        profile,
    ]
    if sources:
        argv += ["--sources", sources]
    for name, value in settings.items():
        argv += ["-s", f"{name}={value}"]
    return argv


def child_env() -> dict[str, str]:
    """The run's environment: under a simulated clock, pinned to the instant the run starts."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if not clock.is_real():
        env[clock.ENV_VAR] = clock.now_iso()
        env.pop(clock.RATE_VAR, None)
        env.pop(clock.EPOCH_VAR, None)
    return env


def run_group(
    group: str,
    data: str,
    sources: str | None = None,
    profile: str = "polite",
    settings: Mapping[str, str] | None = None,
    timeout: float = 6 * 3600,
    kill_after: float = 300,
) -> int:
    """Run ``nianbao run --group GROUP`` and wait for it; returns its exit code (-N: signal N).

    Its output goes line by line to the log.  Past ``timeout`` seconds it gets SIGTERM, and
    SIGKILL ``kill_after`` seconds later; the outcome lands on the status board.
    """
    job_id = f"crawl:{group}"
    argv = run_command(group, data, sources, profile, settings or {})
    tail: deque[str] = deque(maxlen=200)
    with _RUNNING_LOCK:  # a stop either sees this run registered, or stops it from starting
        if _STOPPING.is_set():  # queued behind the run that was stopped: do not start another
            log.info("%s: not started, the scheduler is stopping", job_id)
            return 0
        proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=child_env(),
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            start_new_session=True,
        )  # its own group: a signal reaches extract workers too
        _RUNNING[job_id] = proc
    started = clock.now()
    log.info("%s: started pid %d as of %s", job_id, proc.pid, started.isoformat(timespec="seconds"))
    BOARD.started(job_id, at=started, pid=proc.pid, log_hint=f"[{group}] lines in logs/nianbao.log")
    reader = threading.Thread(target=_pump, args=(proc, group, tail), daemon=True)
    reader.start()
    try:
        outcome = _wait(proc, job_id, timeout, kill_after)
    finally:
        reader.join(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
        with _RUNNING_LOCK:
            _RUNNING.pop(job_id, None)
    code = proc.returncode
    if outcome == "ok" and code != 0:
        outcome = (
            "interrupted" if code in (-signal.SIGTERM, -signal.SIGINT) or job_id in _SIGNALLED else "failed"
        )
    (log.info if outcome == "ok" else log.warning)("%s: %s (exit %s)", job_id, outcome, code)
    BOARD.finished(job_id, at=clock.now(), exit_code=code, outcome=outcome, tail=tail)
    return code


def _wait(proc: subprocess.Popen, job_id: str, timeout: float, kill_after: float) -> str:
    """Wait for a run; past ``timeout`` SIGTERM it, ``kill_after`` later SIGKILL it.  Returns
    ``ok`` (it ended by itself), ``timeout`` or ``killed``."""
    outcome = "ok"
    for limit, sig, late in ((timeout, signal.SIGTERM, "timeout"), (kill_after, signal.SIGKILL, "killed")):
        try:
            proc.wait(timeout=limit)
            return outcome
        except subprocess.TimeoutExpired:
            outcome = late
            log.error(
                "%s: still running %g s %s: %s",
                job_id,
                limit,
                "after it started" if sig == signal.SIGTERM else "after SIGTERM",
                sig.name,
            )
            _signal_group(proc, sig)
    proc.wait()
    return outcome


def _pump(proc: subprocess.Popen, group: str, tail: deque[str]) -> None:
    child = logging.getLogger(f"nianbao.run.{group}")
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\r\n")
        if line:
            tail.append(line)
            child.info("%s", line)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def stop_running(sig: int = signal.SIGTERM) -> list[int]:
    """Pass ``sig`` to every running scheduled run; returns their pids."""
    with _RUNNING_LOCK:
        procs = list(_RUNNING.values())
        _SIGNALLED.update(_RUNNING)
    for proc in procs:
        _signal_group(proc, sig)
    return [p.pid for p in procs]


# -- the scheduler -------------------------------------------------------------------------------
def build_scheduler(
    data: str | os.PathLike, *, misfire_grace: float, workers: int = 1
) -> BackgroundScheduler:
    """A scheduler with its job store in ``DATA/scheduler.db`` (not started).

    ``misfire_grace`` is in clock seconds (divided by the rate of a simulated clock).
    """
    Path(data).mkdir(parents=True, exist_ok=True)
    grace = max(1, int(misfire_grace / (clock.rate() or 1.0)))
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{Path(data).resolve() / STORE_NAME}")},
        executors={"default": ThreadPoolExecutor(max_workers=workers)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=CHINA_TZ,
    )


def sync_jobs(
    scheduler: BackgroundScheduler, specs: Sequence[JobSpec], func: str = JOB_FUNC
) -> dict[str, list[str]]:
    """Make the stored jobs match ``specs`` (scheduler started, ideally paused).

    An unchanged job keeps its stored next run time, so runs missed during downtime still
    happen (once); a changed one is replaced; one no longer configured is removed.
    """
    stored = {job.id: job for job in scheduler.get_jobs()}
    report: dict[str, list[str]] = {"kept": [], "added": [], "replaced": [], "removed": []}
    wanted = {spec.id for spec in specs}
    for job_id in sorted(set(stored) - wanted):
        scheduler.remove_job(job_id)
        report["removed"].append(job_id)
    for spec in specs:
        job = stored.get(spec.id)
        if job is not None and job.name == spec.fingerprint:
            report["kept"].append(spec.id)
            continue
        scheduler.add_job(
            func,
            trigger=spec.trigger,
            id=spec.id,
            name=spec.fingerprint,
            kwargs=spec.kwargs,
            misfire_grace_time=spec.real_grace(),
            replace_existing=True,
        )
        report["replaced" if job is not None else "added"].append(spec.id)
    return report


def _on_event(event) -> None:
    at = clock.now()
    if event.code == EVENT_JOB_MAX_INSTANCES and isinstance(event, JobSubmissionEvent):
        log.warning(
            "%s: due at %s but the previous run is still going: skipped",
            event.job_id,
            _stamp(event.scheduled_run_times),
        )
        BOARD.skipped(event.job_id, at=at, why="previous run still going")
    elif event.code == EVENT_JOB_MISSED and isinstance(event, JobExecutionEvent):
        log.warning(
            "%s: run due at %s missed by more than the misfire grace: skipped",
            event.job_id,
            _stamp([event.scheduled_run_time]),
        )
        BOARD.skipped(event.job_id, at=at, why="missed by more than the misfire grace")
    elif event.code == EVENT_JOB_ERROR and isinstance(event, JobExecutionEvent):
        log.error("%s: the job raised %r", event.job_id, event.exception)


def _stamp(real_times) -> str:
    return ", ".join(clock.from_real(t).isoformat(timespec="minutes") for t in real_times or ())


def describe_jobs(scheduler: BackgroundScheduler) -> list[dict[str, Any]]:
    """Every stored job with its next run time (on nianbao's clock) and why it runs then."""
    out = []
    for job in sorted(scheduler.get_jobs(), key=lambda j: j.id):
        nxt = job.next_run_time
        reason = job.trigger.reason_at(nxt) if nxt and isinstance(job.trigger, SeasonTrigger) else ""
        out.append(
            {
                "id": job.id,
                "group": job.kwargs.get("group"),
                "next_run": clock.from_real(nxt).isoformat(timespec="seconds") if nxt else None,
                "reason": reason,
                "overdue": bool(nxt and nxt < datetime.now(CHINA_TZ)),
            }
        )
    return out


# -- the daemon ------------------------------------------------------------------------------
class Daemon:
    """``nianbao schedule``: keep the jobs, run them, stop gracefully on SIGTERM/SIGINT."""

    def __init__(
        self,
        options: RunOptions,
        specs_factory: Callable[[], list[JobSpec]],
        *,
        misfire_grace: float,
        until: datetime | None = None,
        health_port: int | None = None,
        health: Callable[[], tuple[dict[str, int], list[str], list[str]]] | None = None,
        func: str = JOB_FUNC,
        finish_on_stop: bool = False,
        alert: Callable[[str, list[str]], None] | None = None,
    ) -> None:
        self.options = options
        self.alert = alert
        self.alerted: dict[str, str] = {}  # job id -> the outcome last alerted on
        self.finish_on_stop = finish_on_stop
        self.specs_factory = specs_factory
        self.until = until
        self.health_port = health_port
        self.health = health
        self.func = func
        self.scheduler = build_scheduler(options.data, misfire_grace=misfire_grace)
        self.refresh = threading.Event()  # a run ended: publish plan and health (from the main thread)
        self.signal_received: int | None = None
        self.signals = 0
        self.reload = False  # SIGHUP: re-read the registry and settings now
        self.specs: list[JobSpec] = []

    def request_stop(self, signum: int, frame: object = None) -> None:
        """Signal handler: only note the signal, taking no lock (the main thread polls and acts on
        it, see :meth:`_stop_level`)."""
        self.signals += 1
        if self.signal_received is None:
            self.signal_received = signum

    def request_reload(self, signum: int, frame: object = None) -> None:
        """SIGHUP handler: reconcile the jobs with the registry at the next tick."""
        self.reload = True

    def _stop_level(self) -> int:
        """What received signals ask of the running run: 0 nothing, 1 SIGTERM, 2 SIGKILL.

        First signal: SIGTERM (with ``finish_on_stop``: nothing yet); one more: the next level."""
        return max(0, min(2, self.signals - (1 if self.finish_on_stop else 0)))

    def sync(self) -> None:
        """Reconcile the jobs with the registry and settings; a registry broken since start is
        reported (log, status problems) and the jobs stay as they were."""
        try:
            specs = self.specs_factory()
        except ConfigError as exc:
            if not self.specs:
                raise
            log.error("sources registry: %s (jobs unchanged)", exc)
            BOARD.set_config_problem(f"sources registry: {exc}")
            return
        BOARD.set_config_problem(None)
        self.specs = specs
        report = sync_jobs(self.scheduler, self.specs, self.func)
        if report["added"] or report["replaced"] or report["removed"]:
            log.info("jobs: %s", ", ".join(f"{k} {' '.join(v)}" for k, v in report.items() if v))
        self.publish_plan()

    def publish_plan(self) -> None:
        sizes = {spec.id: len(spec.group.source_ids) for spec in self.specs}
        for job in describe_jobs(self.scheduler):
            BOARD.plan(
                job["id"],
                group=job["group"],
                sources=sizes.get(job["id"]),
                next_run=job["next_run"],
                next_reason=job["reason"],
            )

    def publish_health(self) -> None:
        if self.health is None:
            return
        try:
            BOARD.set_sources(*self.health())
        except Exception as exc:  # noqa: BLE001 (health is a report; it must never stop the scheduler)
            log.error("source health not updated: %r", exc)

    def send_alerts(self) -> None:
        """Tell the notification targets when a job starts failing and when it recovers (once
        each: a job failing every night must not send a message every night)."""
        if self.alert is None:
            return
        for job_id, job in self.snapshot_jobs().items():
            outcome = (job.get("last") or {}).get("outcome")
            if outcome is None or outcome == "interrupted":
                continue
            failing = outcome in FAILED_OUTCOMES
            was_failing = self.alerted.get(job_id, "ok") in FAILED_OUTCOMES
            if failing and not was_failing:
                last = job["last"]
                self._alert(
                    f"nianbao: scheduled run {job_id} {outcome}",
                    [
                        f"{job_id}: {outcome} (exit {last['exit_code']}) at {last['finished_at']}",
                        "The last lines of its output:",
                        *last.get("tail", [])[-10:],
                        "More in DATA/logs/nianbao.log; DATA/status.json lists every problem.",
                    ],
                )
            elif was_failing and not failing:
                self._alert(
                    f"nianbao: scheduled run {job_id} ok again",
                    [f"{job_id}: ok at {job['last']['finished_at']} after failing"],
                )
            self.alerted[job_id] = outcome

    def _alert(self, title: str, lines: list[str]) -> None:
        try:
            self.alert(title, lines)
        except Exception as exc:  # noqa: BLE001 (an alert must never stop the scheduler)
            log.error("alert not sent: %r", exc)

    @staticmethod
    def snapshot_jobs() -> dict[str, dict]:
        return BOARD.snapshot()["jobs"]

    def run(self) -> int:
        """Run until a signal or ``until``; returns the exit code."""
        data = Path(self.options.data)
        BOARD.attach(
            status_path(data),
            pid=os.getpid(),
            host=socket.gethostname(),
            state="starting",
            started_at=clock.now_iso(),
            clock="real" if clock.is_real() else f"simulated x{clock.rate() or 0:g}",
        )
        previous = {sig: signal.signal(sig, self.request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, self.request_reload)
        server = serve_health(BOARD, self.health_port) if self.health_port is not None else None
        self.scheduler.add_listener(_on_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        # listeners run on executor threads; APScheduler calls from there can deadlock a shutdown
        self.scheduler.add_listener(lambda e: self.refresh.set(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        try:
            self.scheduler.start(paused=True)
            self.sync()
            self.publish_health()
            self.scheduler.resume()
            BOARD.update_daemon(state="running", heartbeat_at=clock.now_iso())
            log.info("scheduler started: %d jobs, data %s", len(self.specs), data)
            self._loop()
        finally:
            self._shutdown()
            if server is not None:
                server.shutdown()
                server.server_close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _loop(self) -> None:
        beat, last_beat = 0, time.monotonic()
        while not self.signals:
            wait = HEARTBEAT_SECONDS
            if self.until is not None:
                left = (clock.to_real(self.until) - datetime.now(CHINA_TZ)).total_seconds()
                if left <= 0:
                    log.info("clock reached %s: stopping after the running run", self.until.isoformat())
                    break
                wait = min(wait, left)
            time.sleep(min(wait, 0.5))
            if self.signals:
                break
            if self.reload:
                self.reload = False
                log.info("SIGHUP: reloading the sources registry")
                self.sync()
                self.publish_health()
            if self.refresh.is_set():
                self.refresh.clear()
                self.publish_plan()
                self.publish_health()
                self.send_alerts()
            if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                last_beat = time.monotonic()
                beat += 1
                BOARD.update_daemon(heartbeat_at=clock.now_iso())
                if beat % 10 == 0:  # sources or settings edited since: new groups get jobs
                    self.sync()

    def _shutdown(self) -> None:
        BOARD.update_daemon(state="stopping")
        _STOPPING.set()  # runs queued behind the running one are not started
        self.scheduler.pause()
        if self.signal_received is not None:
            name = signal.Signals(self.signal_received).name
            log.info(
                "%s: stopping%s",
                name,
                "; the running run may finish (signal again to interrupt it)" if self.finish_on_stop else "",
            )
        sent = 0
        while True:  # pass further signals on as they come, until no run is left
            level = self._stop_level()
            if level > sent:
                sig = signal.SIGTERM if level == 1 else signal.SIGKILL
                log.info("%s to running run(s) %s", sig.name, stop_running(sig) or "none")
                sent = level
            with _RUNNING_LOCK:
                if not _RUNNING:
                    break
            time.sleep(0.2)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)  # runs queued behind return at once (_STOPPING)
        BOARD.update_daemon(state="stopped", stopped_at=clock.now_iso())
        log.info("scheduler stopped")
