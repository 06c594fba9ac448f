"""Source health from run outcomes (injected time), and the source_broken / source_blocked flags
it opens and closes through a real archive database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.health import HealthPolicy, RunOutcome, judge
from crawler.vocab.clock import CHINA_TZ

NOW = datetime(2025, 4, 10, 12, tzinfo=CHINA_TZ)


def runs(*statuses: str, seen: int = 5, every: int = 1) -> list[RunOutcome]:
    """Outcomes ending at NOW, one per ``every`` days; "ok0" is an ok run that listed nothing."""
    n = len(statuses)
    out = []
    for i, s in enumerate(statuses):
        status, reports = ("ok", 0) if s == "ok0" else (s, seen if s == "ok" else 0)
        out.append(RunOutcome(i + 1, NOW - timedelta(days=every * (n - 1 - i)), status, reports))
    return out


@pytest.mark.parametrize(
    ("statuses", "health", "streak"),
    [
        (("ok", "ok", "ok"), "ok", 0),
        (("ok", "ok", "ok", "empty"), "degraded", 1),
        (("ok", "ok", "empty", "empty", "empty"), "broken", 3),  # a redesign: zero links, three times
        (("empty", "empty", "empty"), "degraded", 3),  # never listed anything: not "broken"
        (("ok", "blocked:waf", "blocked:waf", "blocked:ruishu"), "blocked", 3),
        (("ok", "unreachable", "partial", "unreachable"), "broken", 3),
        (("ok", "blocked:waf", "unreachable", "blocked:waf"), "broken", 3),
        (("ok", "ok", "ok", "partial", "ok"), "ok", 0),  # 80 % of runs succeeded
        (("ok", "partial", "ok"), "degraded", 0),  # 67 % < 75 %
        (("unreachable", "ok", "unreachable", "ok", "unreachable", "ok"), "degraded", 0),
        ((), "unknown", 0),
    ],
)
def test_health_states(statuses, health, streak):
    h = judge(runs(*statuses), NOW)
    assert (h.status, h.consecutive_failures) == (health, streak), h.reason


def test_degraded_by_success_rate_in_the_window():
    outcome = runs("partial", "ok", "partial", "ok", "partial", "ok", every=2)
    h = judge(outcome, NOW)
    assert h.status == "degraded" and h.success_rate == 0.5 and "50%" in h.reason
    # older failures fall out of the 14-day window
    assert judge(outcome, NOW, policy=HealthPolicy(window_days=1)).status == "ok"


def test_facts_and_disabled():
    h = judge(runs("ok", "empty"), NOW)
    assert h.last_success == NOW - timedelta(days=1) and h.items_last_run == 0
    assert judge(runs("ok"), NOW, enabled=False).status == "disabled"
    assert (
        judge(runs("ok", "blocked:waf"), NOW - timedelta(hours=1)).status == "ok"
    )  # later runs not seen yet


def test_a_source_not_crawled_for_the_whole_window_is_degraded_not_ok():
    old = runs("ok", "ok", "ok", every=1)
    h = judge(old, NOW + timedelta(days=15))
    assert h.status == "degraded" and "not crawled in the last 14 days" in h.reason and h.runs_in_window == 0
    assert judge(old, NOW + timedelta(days=13)).status == "ok"


def test_interrupted_runs_are_neither_success_nor_failure():
    # SIGTERM or a timeout cut these runs: they must not make a source broken…
    h = judge(runs("ok", "interrupted", "interrupted", "interrupted", "interrupted"), NOW)
    assert (h.status, h.consecutive_failures) == ("ok", 0)
    # …nor hide a real streak of empty listings around them
    h = judge(runs("ok", "empty", "interrupted", "empty", "interrupted", "empty"), NOW)
    assert (h.status, h.consecutive_failures) == ("broken", 3)


def test_broken_and_blocked_flags_open_and_close(tmp_path, monkeypatch):
    from crawler.registry.sources import Source
    from crawler.stages.check import run_check
    from storage import compliance as store
    from storage.db import open_db

    db = open_db(tmp_path)
    source = Source(
        "s1",
        "某县人民政府",
        "county",
        "region",
        ("http://x.gov.cn/nb/",),
        None,
        "auto",
        "auto",
        2024,
        None,
        True,
        "",
        ("x.gov.cn",),
        50,
    )
    blocked = Source(
        "s2",
        "某市财政局",
        "city_dept",
        "dept",
        ("http://y.gov.cn/nb/",),
        None,
        "auto",
        "auto",
        2024,
        None,
        True,
        "",
        ("y.gov.cn",),
        50,
    )

    def crawl(day: int, status_s1: str, status_s2: str, seen: int) -> None:
        at = datetime(2025, 3, day, 10, tzinfo=CHINA_TZ).isoformat()
        run = db["runs"].insert({"started_at": at, "finished_at": at, "command": "crawl"}).last_pk
        for sid, status in (("s1", status_s1), ("s2", status_s2)):
            db["source_runs"].insert(
                {
                    "run_id": run,
                    "source_id": sid,
                    "status": status,
                    "reports_seen": seen if status == "ok" else 0,
                }
            )
            db["listing_snapshots"].insert(
                {
                    "run_id": run,
                    "source_id": sid,
                    "url": f"http://{sid}.gov.cn/nb/",
                    "fetched_at": at,
                    "status": status.split(":")[0],
                    "items": 0,
                }
            )

    def check(day: int) -> dict[str, str]:
        monkeypatch.setenv("NIANBAO_NOW", f"2025-03-{day:02d}T12:00:00+08:00")
        run_check(db, [source, blocked])
        return {f["source"]: f["kind"] for f in store.query_flags(db) if f["kind"].startswith("source_")}

    crawl(1, "ok", "ok", 4)
    crawl(2, "empty", "blocked:waf", 0)
    crawl(3, "empty", "blocked:waf", 0)
    assert check(3) == {}
    crawl(4, "empty", "blocked:waf", 0)
    assert check(4) == {"s1": "source_broken", "s2": "source_blocked"}
    crawl(5, "ok", "blocked:waf", 6)  # the column is back
    assert check(5) == {"s2": "source_blocked"}
    events = [
        (e["source"], e["event"], e["kind"])
        for e in store.recent_events(db)
        if e["kind"].startswith("source_")
    ]
    assert sorted(events) == [
        ("s1", "closed", "source_broken"),
        ("s1", "opened", "source_broken"),
        ("s2", "opened", "source_blocked"),
    ]
    flag = store.query_flags(db, kind="source_blocked")[0]
    assert flag["evidence"] and flag["evidence"][0]["url"] == "http://s2.gov.cn/nb/" and flag["year"] is None


STATUSES = ("ok", "ok0", "empty", "partial", "blocked:waf", "unreachable", "interrupted")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(STATUSES), st.integers(0, 40)), max_size=25),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 60),
)
def test_judging_the_reduced_history_equals_judging_all_of_it(histories, now_day):
    """``load_outcomes(now=…)`` reads only what health needs; the judgement must not change."""
    from storage import runs as run_store
    from storage.db import memory_db
    from storage.health import load_outcomes

    db = memory_db()
    start = NOW - timedelta(days=40)
    events = sorted((day, i, status) for i, history in enumerate(histories) for status, day in history)
    for day, i, status in events:  # one run per event, in time order (run ids follow time)
        at = (start + timedelta(days=day, minutes=i)).isoformat(timespec="seconds")
        run_id = run_store.start_run(db, started_at=at, command="crawl", args={}, version="test")
        ok, seen = (status, 5) if status == "ok" else (("ok", 0) if status == "ok0" else (status, 0))
        run_store.record_source_run(db, run_id, f"s{i}", {"status": ok, "reports_seen": seen})
    now = start + timedelta(days=now_day, hours=12)
    full = load_outcomes(db)
    ids = [f"s{i}" for i in range(len(histories))]
    reduced = load_outcomes(db, now=now, sources=ids)
    assert sum(map(len, reduced.values())) <= sum(map(len, full.values()))
    # without a registry: the sources seen in the window, each judged as on its whole history
    for source, history in load_outcomes(db, now=now).items():
        assert judge(history, now) == judge(full[source], now), source
    # given the registry, every source is judged exactly as on its whole history
    assert {s: judge(reduced.get(s, []), now) for s in ids} == {s: judge(full.get(s, []), now) for s in ids}


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(STATUSES), st.integers(0, 90)), max_size=40),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 30),
    st.booleans(),
)
def test_the_crawls_summary_judges_as_the_whole_history(histories, days_after, rebuilt):
    """``source_summary`` (kept by every ``source_runs`` write, or rebuilt from the runs) gives
    each source exactly the judgement of its whole history, for any ``now`` from its newest run on."""
    from crawler.health import judge_summary
    from storage import runs as run_store
    from storage.db import memory_db
    from storage.health import load_outcomes, load_summaries, rebuild_summaries

    db = memory_db()
    start = NOW - timedelta(days=100)
    events = sorted((day, i, status) for i, history in enumerate(histories) for status, day in history)
    for day, i, status in events:
        at = (start + timedelta(days=day, minutes=i)).isoformat(timespec="seconds")
        run_id = run_store.start_run(db, started_at=at, command="crawl", args={}, version="test")
        ok, seen = (status, 5) if status == "ok" else (("ok", 0) if status == "ok0" else (status, 0))
        run_store.record_source_run(db, run_id, f"s{i}", {"status": ok, "reports_seen": seen})
    if rebuilt:
        rebuild_summaries(db)
    newest = max((r.at for runs in load_outcomes(db).values() for r in runs), default=start)
    now = newest + timedelta(days=days_after, hours=1)
    summaries = load_summaries(db, now=now)
    full = load_outcomes(db)
    assert summaries is not None and set(summaries) == set(full)
    for source, summary in summaries.items():
        assert judge_summary(summary, now) == judge(full[source], now), source
    # a judgement as of before the newest run needs the history itself
    if events:
        assert load_summaries(db, now=newest - timedelta(days=1)) is None
