"""The scheduler's cadence (pure): season, weekly off-season, deadline runs, jitter, groups."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from crawler.cadence import (
    Cadence,
    day_reasons,
    fire_time,
    in_season,
    next_fire,
    parse_season,
    parse_weekday,
    plan,
    source_groups,
)
from crawler.registry.sources import Source
from crawler.vocab.clock import CHINA_TZ


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


def src(source_id: str, kind: str, deadline: str | None = None, enabled: bool = True) -> Source:
    return Source(
        source_id,
        f"agency {source_id}",
        {"dept": "county_dept", "region": "county", "township": "township"}[kind],
        kind,
        ("http://127.0.0.1:9/",),
        None,
        "auto",
        "auto",
        2008,
        deadline,
        enabled,
        "",
        ("127.0.0.1",),
        50,
    )


def test_season_is_daily_and_off_season_weekly_on_monday():
    cadence = Cadence()
    runs = plan("region", "03-31", cadence, at("2025-04-10T00:00"), at("2025-05-10T00:00"))
    days = [t.date() for t, _ in runs]
    assert days[:6] == [date(2025, 4, d) for d in range(10, 16)]  # daily up to 15 April
    assert days[6:] == [date(2025, 4, 21), date(2025, 4, 28), date(2025, 5, 5)]  # then Mondays
    assert all(d.weekday() == 0 for d in days[6:])
    assert runs[0][1] == "report season: daily" and runs[-1][1] == "off season: weekly on mon"


def test_deadline_runs_happen_whatever_the_season():
    cadence = Cadence()
    # a local override due 30 June: the day after, and the day after the 3 days' grace
    runs = plan("override-0630", "06-30", cadence, at("2025-06-24T00:00"), at("2025-07-08T00:00"))
    assert [(t.date(), r) for t, r in runs] == [
        (date(2025, 6, 30), "off season: weekly on mon"),
        (date(2025, 7, 1), "day after the 06-30 deadline"),
        (date(2025, 7, 4), "day after the 06-30 deadline + 3 days' grace"),
        (date(2025, 7, 7), "off season: weekly on mon"),
    ]
    # in season the deadline days coincide with daily runs: one run, both reasons
    assert day_reasons(date(2025, 2, 1), "01-31", cadence) == [
        "day after the 01-31 deadline",
        "report season: daily",
    ]
    # the grace run is the first day a capture can prove "missing" (later than deadline + grace)
    assert "grace" in day_reasons(date(2025, 2, 4), "01-31", cadence)[0]


def test_jitter_is_reproducible_within_the_window_and_differs_by_group():
    cadence = Cadence(hour=2, jitter_minutes=120)
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(60)]
    for group in ("dept", "region"):
        times = [fire_time(group, d, cadence) for d in days]
        assert times == [fire_time(group, d, cadence) for d in days]  # a restart computes the same
        assert all(t.hour in (2, 3) and t.microsecond == 0 for t in times)
        assert len({t.time() for t in times}) > 30  # really spread
    assert fire_time("dept", days[0], cadence) != fire_time("region", days[0], cadence)
    assert fire_time("dept", days[0], Cadence(jitter_minutes=0)) == at("2025-01-01T02:00")


def test_next_fire_is_strictly_after_and_inclusive_on_request():
    cadence = Cadence()
    first, _ = next_fire("dept", "01-31", cadence, at("2025-01-05T00:00"))
    assert first.date() == date(2025, 1, 5)
    assert next_fire("dept", "01-31", cadence, first)[0].date() == date(2025, 1, 6)
    assert next_fire("dept", "01-31", cadence, first, inclusive=True)[0] == first
    # the day's run already passed: the next one is tomorrow's
    assert next_fire("dept", "01-31", cadence, first + timedelta(minutes=1))[0].date() == date(2025, 1, 6)


def test_a_cadence_with_no_runs_has_no_next_fire_except_deadlines():
    cadence = Cadence(season=("", ""), weekday=None, grace_days=0)
    runs = plan("dept", "01-31", cadence, at("2025-01-01T00:00"), at("2026-01-01T00:00"))
    assert [t.date() for t, _ in runs] == [date(2025, 2, 1)]


def test_season_window_can_wrap_the_year_end():
    assert in_season(date(2025, 12, 20), ("12-15", "01-10"))
    assert in_season(date(2026, 1, 5), ("12-15", "01-10"))
    assert not in_season(date(2026, 1, 11), ("12-15", "01-10"))
    assert not in_season(date(2026, 1, 11), ("", ""))


def test_settings_parsers_reject_bad_values():
    assert parse_season("01-01/04-15") == ("01-01", "04-15")
    assert parse_season("") == ("", "")
    assert parse_weekday("Monday") == 0 and parse_weekday("sun") == 6 and parse_weekday("none") is None
    for bad in ("01-01", "13-01/04-15", "01-01/04-31"):
        with pytest.raises(ValueError, match="MM-DD"):
            parse_season(bad)
    with pytest.raises(ValueError, match="weekday"):
        parse_weekday("someday")
    with pytest.raises(ValueError, match="hour"):
        Cadence(hour=24)


def test_sources_group_by_the_deadline_they_share():
    sources = [
        src("a-dept", "dept"),
        src("b-region", "region"),
        src("c-dept", "dept"),
        src("d-town", "township"),
        src("e-town", "township", deadline="06-30"),
        src("f-off", "dept", enabled=False),
    ]
    groups = source_groups(sources, year=2024, township_default="01-31")
    assert [(g.name, g.deadline, g.source_ids) for g in groups] == [
        ("dept", "01-31", ("a-dept", "c-dept")),
        ("override-0630", "06-30", ("e-town",)),
        ("region", "03-31", ("b-region",)),
        ("township", "01-31", ("d-town",)),
    ]
    assert groups[2].basis == "711号 Art.49¶2"
