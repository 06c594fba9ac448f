"""The scheduler's mechanics with the real APScheduler and job store, on an accelerated clock.

``NIANBAO_CLOCK_RATE=86400`` makes one simulated day pass per real second, so a week of the
report season takes seven seconds; the jobs here record when (on nianbao's clock) they ran.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import pytest

import scheduler as sched
from crawler.cadence import Cadence, Group, next_fire, plan
from crawler.opstatus import StatusBoard, serve_health
from crawler.vocab import clock
from crawler.vocab.clock import CHINA_TZ

DAY = 86400.0
FIRES: list[tuple[datetime, str]] = []
ACTIVE = {"now": 0, "max": 0}
_LOCK = threading.Lock()


def record(group: str, **_: object) -> int:
    """A job that notes the clock reading it ran at."""
    with _LOCK:
        FIRES.append((clock.now(), group))
    return 0


def slow(group: str, seconds: float = 1.5, **_: object) -> int:
    """A job that outlasts the gap between two triggers."""
    with _LOCK:
        ACTIVE["now"] += 1
        ACTIVE["max"] = max(ACTIVE["max"], ACTIVE["now"])
        FIRES.append((clock.now(), group))
    time.sleep(seconds)
    with _LOCK:
        ACTIVE["now"] -= 1
    return 0


@pytest.fixture(autouse=True)
def fresh():
    FIRES.clear()
    ACTIVE.update(now=0, max=0)
    yield


def warp(monkeypatch, start: str, rate: float = DAY, epoch: float | None = None) -> float:
    epoch = time.time() if epoch is None else epoch
    monkeypatch.setenv("NIANBAO_NOW", start)
    monkeypatch.setenv("NIANBAO_CLOCK_RATE", str(rate))
    monkeypatch.setenv("NIANBAO_CLOCK_EPOCH", repr(epoch))
    return epoch


def spec(group: str, deadline: str = "01-31", cadence: Cadence = Cadence(), **kwargs) -> sched.JobSpec:  # noqa: B008
    return sched.JobSpec(
        f"crawl:{group}",
        Group(group, deadline, "test", ("a",)),
        sched.SeasonTrigger(group, deadline, cadence),
        {"group": group, **kwargs},
    )


def started(data, specs, func: str, grace: float = 7 * DAY):
    scheduler = sched.build_scheduler(data, misfire_grace=grace)
    scheduler.start(paused=True)
    report = sched.sync_jobs(scheduler, specs, func)
    scheduler.resume()
    return scheduler, report


def test_the_warped_clock_maps_both_ways(monkeypatch):
    epoch = warp(monkeypatch, "2025-03-01T00:00:00+08:00", rate=3600)
    real = datetime.fromtimestamp(epoch + 10, CHINA_TZ)
    assert abs(clock.from_real(real) - datetime(2025, 3, 1, 10, tzinfo=CHINA_TZ)) < timedelta(milliseconds=5)
    assert abs((clock.to_real(datetime(2025, 3, 1, 10, tzinfo=CHINA_TZ)) - real).total_seconds()) < 1e-3
    assert clock.now() >= datetime(2025, 3, 1, tzinfo=CHINA_TZ)
    monkeypatch.delenv("NIANBAO_CLOCK_RATE")
    assert clock.now() == datetime(2025, 3, 1, tzinfo=CHINA_TZ)  # pinned again
    monkeypatch.setenv("NIANBAO_CLOCK_RATE", "-1")
    with pytest.raises(ValueError, match="NIANBAO_CLOCK_RATE"):
        clock.now()


def test_the_trigger_walks_the_plan_on_a_warped_clock(monkeypatch):
    warp(monkeypatch, "2025-04-12T00:00:00+08:00")
    trigger = sched.SeasonTrigger("region", "03-31", Cadence())
    expected = plan("region", "03-31", Cadence(), clock.now(), clock.now() + timedelta(days=30))
    got, prev = [], None
    now = datetime.now(CHINA_TZ)
    for _ in expected:
        prev = trigger.get_next_fire_time(prev, now)
        got.append(clock.from_real(prev))
    assert [abs((g - e).total_seconds()) < 1 for g, (e, _) in zip(got, expected, strict=True)] == [
        True
    ] * len(got)
    assert [g.date() for g in got][:4] == [datetime(2025, 4, d).date() for d in (12, 13, 14, 15)]


def test_jobs_fire_in_plan_order(monkeypatch, tmp_path):
    warp(monkeypatch, "2025-03-01T00:00:00+08:00", rate=DAY / 2)  # a simulated day every 2 s
    specs = [spec("dept"), spec("region", "03-31")]
    scheduler, report = started(tmp_path, specs, "tests.test_scheduler:record")
    assert report["added"] == ["crawl:dept", "crawl:region"]
    start = clock.now()
    time.sleep(9.0)  # four and a half simulated days
    stop = clock.now()
    scheduler.shutdown(wait=True)
    expected = sorted(
        (t, g)
        for g in ("dept", "region")
        for t, _ in plan(g, "01-31" if g == "dept" else "03-31", Cadence(), start, stop - timedelta(hours=1))
    )
    assert len(expected) >= 8
    assert [g for _, g in FIRES[: len(expected)]] == [g for _, g in expected]
    assert len(FIRES) - len(expected) <= 1  # at most one fired in the last hour
    for (ran, _), (due, _) in zip(FIRES, expected, strict=False):
        assert timedelta(0) <= ran - due < timedelta(hours=3), (ran, due)  # 3 sim. hours = 0.25 s real


def test_an_overlapping_trigger_does_not_start_a_second_run(monkeypatch, tmp_path):
    warp(monkeypatch, "2025-03-01T01:59:00+08:00", rate=DAY)
    board_skips: list = []
    scheduler, _ = started(tmp_path, [spec("dept", seconds=2.5)], "tests.test_scheduler:slow")
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES

    scheduler.add_listener(board_skips.append, EVENT_JOB_MAX_INSTANCES)
    time.sleep(6.5)  # daily triggers every ~1 s, runs of 2.5 s
    scheduler.shutdown(wait=True)
    assert ACTIVE["max"] == 1
    assert 2 <= len(FIRES) <= 3, FIRES
    assert len(board_skips) >= 2  # the triggers that fired mid-run were dropped


def test_a_restart_after_downtime_coalesces_the_missed_runs(monkeypatch, tmp_path):
    warp(monkeypatch, "2025-03-01T00:00:00+08:00")  # one epoch: both schedulers share the clock
    specs = [spec("dept")]
    first, _ = started(tmp_path, specs, "tests.test_scheduler:record")
    wait_until(lambda: FIRES, 5)  # a first run happens
    first.shutdown(wait=True)
    before = len(FIRES)
    down_from = clock.now()
    time.sleep(3.2)  # down for ~3 simulated days
    again, report = started(tmp_path, specs, "tests.test_scheduler:record")
    assert report["kept"] == ["crawl:dept"]  # same configuration: stored next run kept
    restarted = clock.now()
    wait_until(lambda: len(FIRES) > before, 5)  # the catch-up run
    time.sleep(0.3)
    again.shutdown(wait=True)
    missed = [t for t, _ in plan("dept", "01-31", Cadence(), down_from, restarted)]
    next_due = next_fire("dept", "01-31", Cadence(), restarted)[0]
    assert len(missed) >= 2  # several runs were due while it was down…
    catch_up = [t for t, _ in FIRES[before:] if t < next_due]
    assert len(catch_up) == 1  # …and ran once, at the restart
    assert catch_up[0] - restarted < timedelta(hours=3)


def wait_until(predicate, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_changed_configuration_replaces_the_job_and_removed_groups_go(tmp_path, monkeypatch):
    warp(monkeypatch, "2025-06-01T00:00:00+08:00")
    scheduler, _ = started(tmp_path, [spec("dept"), spec("region", "03-31")], "tests.test_scheduler:record")
    scheduler.shutdown(wait=False)
    scheduler, report = started(
        tmp_path, [spec("dept", cadence=Cadence(hour=5))], "tests.test_scheduler:record"
    )
    try:
        assert report == {"kept": [], "added": [], "replaced": ["crawl:dept"], "removed": ["crawl:region"]}
        jobs = sched.describe_jobs(scheduler)
        assert [j["id"] for j in jobs] == ["crawl:dept"]
        assert jobs[0]["next_run"].startswith("2025-06-02T05:")  # Monday 2 June, the new hour
        assert jobs[0]["reason"] == "off season: weekly on mon"
    finally:
        scheduler.shutdown(wait=False)


def test_a_run_under_a_simulated_clock_is_pinned_to_its_start(monkeypatch):
    warp(monkeypatch, "2025-02-04T02:30:00+08:00", rate=60)
    env = sched.child_env()
    assert env["NIANBAO_NOW"].startswith("2025-02-04T02:30")
    assert "NIANBAO_CLOCK_RATE" not in env and "NIANBAO_CLOCK_EPOCH" not in env
    monkeypatch.delenv("NIANBAO_NOW")
    monkeypatch.delenv("NIANBAO_CLOCK_RATE")
    assert "NIANBAO_NOW" not in sched.child_env()  # real clock: the run reads the real time
    argv = sched.run_command("dept", "/d", "/s.toml", "sim", {"NIANBAO_GRACE_DAYS": "5"})
    assert argv[1:] == [
        "-m",
        "crawler.cli",
        "run",
        "--group",
        "dept",
        "--data",
        "/d",
        "--profile",
        "sim",
        "--sources",
        "/s.toml",
        "-s",
        "NIANBAO_GRACE_DAYS=5",
    ]


def test_status_board_file_and_health_endpoint(tmp_path):
    board = StatusBoard()
    path = tmp_path / "status.json"
    board.attach(path, pid=1, state="running")
    board.plan("crawl:dept", group="dept", next_run="2025-02-01T02:10:00+08:00")
    server = serve_health(board, 0)
    url = f"http://127.0.0.1:{server.server_address[1]}/health"
    try:
        with urllib.request.urlopen(url) as resp:
            assert resp.status == 200 and json.load(resp)["jobs"]["crawl:dept"]["group"] == "dept"
        now = datetime(2025, 2, 1, 2, 10, tzinfo=CHINA_TZ)
        board.started("crawl:dept", at=now, pid=42)
        assert json.loads(path.read_text())["jobs"]["crawl:dept"]["running"] is True
        board.finished("crawl:dept", at=now, exit_code=1, outcome="failed", tail=["boom"])
        board.set_sources({"ok": 3, "broken": 1}, ["x-broken"], [])
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url)
        assert err.value.code == 503
        snap = json.loads(err.value.read())
        err.value.close()
        assert snap["problems"] == ["job crawl:dept: last run failed (exit 1)", "source x-broken is broken"]
        assert snap["jobs"]["crawl:dept"]["last"]["tail"] == ["boom"]
        assert json.loads(path.read_text()) == snap
        assert not list(tmp_path.glob("*.tmp"))  # written atomically
    finally:
        server.shutdown()
        server.server_close()


def test_the_trigger_always_moves_forward_even_on_a_very_fast_clock(monkeypatch):
    warp(monkeypatch, "2025-01-01T00:00:00+08:00", rate=5e7)  # a simulated year in under a second
    trigger = sched.SeasonTrigger("dept", "01-31", Cadence())
    prev = trigger.get_next_fire_time(None, datetime.now(CHINA_TZ))
    days = []
    for _ in range(150):
        nxt = trigger.get_next_fire_time(prev, prev)
        assert nxt > prev
        days.append(clock.from_real(nxt).date())
        prev = nxt
    assert len(set(days)) == len(days)  # one run a day, none repeated


def test_status_line_tells_a_dead_or_hung_scheduler_from_a_live_one(tmp_path):
    import os
    import socket
    import subprocess
    import sys

    from crawler.opstatus import describe_scheduler

    assert describe_scheduler(tmp_path) is None
    board = StatusBoard()
    board.attach(
        tmp_path / "status.json",
        pid=os.getpid(),
        host=socket.gethostname(),
        state="running",
        heartbeat_at="2025-02-01T02:00:00+08:00",
    )
    board.plan("crawl:region", next_run="2025-02-02T03:00:00+08:00")
    board.plan("crawl:dept", next_run="2025-02-02T02:10:00+08:00")
    line = describe_scheduler(tmp_path)
    assert (
        line.startswith(f"scheduler: running (pid {os.getpid()}")
        and "next crawl:dept at 2025-02-02T02:10" in line
    )
    assert "NOT RESPONDING" in describe_scheduler(tmp_path, now=time.time() + 600)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    board.update_daemon(pid=int(dead.stdout))
    assert "NOT RUNNING" in describe_scheduler(tmp_path)
    board.set_sources({"broken": 1}, ["x"], [])
    board.update_daemon(state="stopped", stopped_at="2025-02-01T03:00:00+08:00")
    line = describe_scheduler(tmp_path)
    assert (
        line.startswith("scheduler: stopped at 2025-02-01T03:00") and "problems: source x is broken" in line
    )


def test_alerts_go_out_when_a_job_starts_failing_and_when_it_recovers(tmp_path, monkeypatch):
    sent: list[tuple[str, list[str]]] = []
    daemon = sched.Daemon(
        sched.RunOptions(data=str(tmp_path)),
        list,
        misfire_grace=3600,
        alert=lambda title, lines: sent.append((title, lines)),
    )
    board = StatusBoard()
    monkeypatch.setattr(sched, "BOARD", board)
    at = datetime(2025, 2, 1, 2, 30, tzinfo=CHINA_TZ)
    outcomes = ["ok", "failed", "timeout", "interrupted", "failed", "ok", "ok", "killed"]
    titles = []
    for outcome in outcomes:
        board.finished(
            "crawl:dept",
            at=at,
            exit_code=0 if outcome == "ok" else 1,
            outcome=outcome,
            tail=["a line", "Traceback: boom"],
        )
        daemon.send_alerts()
        titles.append([t for t, _ in sent])
        sent.clear()
    assert titles == [
        [],
        ["nianbao: scheduled run crawl:dept failed"],
        [],
        [],
        [],
        ["nianbao: scheduled run crawl:dept ok again"],
        [],
        ["nianbao: scheduled run crawl:dept killed"],
    ]
