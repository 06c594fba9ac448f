"""Verdicts, table-driven with an injected date: every status, every date provenance, and the
rules that keep a claim provable (DESIGN §6)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from crawler.compliance.verdicts import (
    Policy,
    SourceInfo,
    absence_problem,
    proves_absence,
    source_verdicts,
    verdict_for,
)
from crawler.vocab.clock import CHINA_TZ
from crawler.vocab.records import ArchivedReport, Capture, Page

DEPT = SourceInfo("dept-a", "某市财政局", "dept", "city_dept", "430100", 2008)
REGION = SourceInfo("gov-a", "某县人民政府", "region", "county", "430121", 2008)
TOWN = SourceInfo("town-a", "某镇人民政府", "township", "township", None, 2019, deadline="02-20")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=CHINA_TZ).replace(hour=hour)


def cap(
    day: str,
    status: str = "ok",
    years=frozenset({2023}),
    unidentified: int = 0,
    run: int = 1,
    limit: tuple[int, int] | None = None,
) -> Capture:
    return Capture(
        run,
        at(day),
        status,
        frozenset(years),
        unidentified,
        limit,
        (Page(run * 10, "http://x.gov.cn/nb/", at(day).isoformat(), "ok", 15, run * 10),),
    )


def cand(day: str, source: str, trusted: bool = True, note: str = "") -> dict:
    return {"date": day, "source": source, "raw": day, "trusted": trusted, "note": note}


def rep(year: int, seen: str, *cands: dict, url: str = "http://x.gov.cn/nb/t1.html") -> ArchivedReport:
    return ArchivedReport(
        f"r-{year}-{seen}", year, url, f"{year}年政府信息公开工作年度报告", at(seen), 99, tuple(cands)
    )


def judge(source, year, reports, captures, as_of, grace=3):
    return verdict_for(source, year, reports, captures, date.fromisoformat(as_of), Policy(grace_days=grace))


# -- published reports: each date provenance ------------------------------------------------------


@pytest.mark.parametrize(
    ("cands", "seen", "status", "pub", "src", "confidence"),
    [
        ((cand("2025-01-20", "meta"),), "2025-01-22", "on_time", "2025-01-20", "meta", "high"),
        ((cand("2025-02-03", "meta"),), "2025-02-05", "late", "2025-02-03", "meta", "high"),
        # meta wins over page, page over list, list over url
        (
            (cand("2025-01-30", "meta"), cand("2025-02-02", "page")),
            "2025-02-05",
            "on_time",
            "2025-01-30",
            "meta",
            "high",
        ),
        (
            (cand("2025-02-02", "page"), cand("2025-01-10", "list")),
            "2025-02-05",
            "late",
            "2025-02-02",
            "page",
            "high",
        ),
        # an untrusted PubDate (page-generation time) gives way to the visible date
        (
            (cand("2025-03-01", "meta", False, "equals 页面生成时间"), cand("2025-01-25", "page")),
            "2025-03-02",
            "on_time",
            "2025-01-25",
            "page",
            "high",
        ),
        # epoch, before the reporting year ended, after our first capture: all set aside
        (
            (cand("1970-01-01", "meta"), cand("2025-01-28", "page")),
            "2025-02-05",
            "on_time",
            "2025-01-28",
            "page",
            "high",
        ),
        (
            (cand("2023-06-01", "meta"), cand("2025-02-10", "page")),
            "2025-02-12",
            "late",
            "2025-02-10",
            "page",
            "high",
        ),
        (
            (cand("2025-03-09", "meta"), cand("2025-02-01", "page")),
            "2025-02-05",
            "late",
            "2025-02-01",
            "page",
            "high",
        ),
        # the column's list date is stated by the agency too: late with medium confidence
        ((cand("2025-02-12", "list"),), "2025-02-14", "late", "2025-02-12", "list", "medium"),
        ((cand("2025-01-12", "list"),), "2025-02-14", "on_time", "2025-01-12", "list", "medium"),
        # no stated date, first seen before the deadline: our capture proves it was online
        ((), "2025-01-29", "on_time", "2025-01-29", "first_seen", "high"),
        ((cand("2025-01-29", "url"),), "2025-01-30", "on_time", "2025-01-30", "first_seen", "high"),
        # a URL date alone never makes a report late...
        ((cand("2025-02-20", "url"),), "2025-02-25", "unknown", None, "none", "low"),
        # ...but may support on_time, with low confidence
        ((cand("2025-01-15", "url"),), "2025-02-25", "on_time", "2025-01-15", "url", "low"),
        ((), "2025-02-25", "unknown", None, "none", "low"),
    ],
)
def test_date_provenance(cands, seen, status, pub, src, confidence):
    v = judge(DEPT, 2024, [rep(2024, seen, *cands)], [cap("2025-01-20", years={2023})], "2025-04-10")
    assert (v.status, v.published_at and v.published_at.isoformat(), v.published_at_source, v.confidence) == (
        status,
        pub,
        src,
        confidence,
    ), v.reason
    assert v.deadline.due == date(2025, 1, 31)
    assert v.evidence and all(e["fetch"] for e in v.evidence)


def test_first_seen_bracketed_by_a_dated_absence_is_late():
    captures = [cap("2025-01-20", years={2023}, run=1), cap("2025-02-05", years={2023}, run=2)]
    v = judge(DEPT, 2024, [rep(2024, "2025-02-20")], captures, "2025-04-10")
    assert (v.status, v.confidence, v.published_at, v.published_at_source) == (
        "late",
        "high",
        date(2025, 2, 20),
        "first_seen",
    )
    roles = [e["role"] for e in v.evidence]
    assert roles == ["absence", "first_capture"] and v.evidence[0]["fetch"] == 20


def test_absence_before_the_deadline_brackets_nothing():
    v = judge(DEPT, 2024, [rep(2024, "2025-02-20")], [cap("2025-01-30", years={2023})], "2025-04-10")
    assert v.status == "unknown"


@pytest.mark.parametrize(
    ("problem", "kwargs"),
    [
        ("blocked", {"status": "blocked:waf"}),
        ("partial", {"status": "partial"}),
        ("unidentified", {"unidentified": 1}),
        ("years", {"limit": (2019, 2023)}),
    ],
)
def test_only_a_complete_capture_brackets(problem, kwargs):
    v = judge(
        DEPT, 2024, [rep(2024, "2025-02-20")], [cap("2025-02-05", years={2023}, **kwargs)], "2025-04-10"
    )
    assert v.status == "unknown", problem


def test_back_dated_report_is_late_when_a_capture_contradicts_the_stated_date():
    # the page says 2025-01-30 but the column on 2025-02-05 (after the deadline) did not list it
    v = judge(
        DEPT,
        2024,
        [rep(2024, "2025-02-20", cand("2025-01-30", "meta"))],
        [cap("2025-02-05", years={2023})],
        "2025-04-10",
    )
    assert (v.status, v.confidence, v.published_at_source) == ("late", "medium", "first_seen")
    assert "back-dating" in v.reason and [e["role"] for e in v.evidence] == [
        "stated_date",
        "absence",
        "first_capture",
    ]


def test_stated_date_after_the_absence_capture_is_not_contradicted():
    v = judge(
        DEPT,
        2024,
        [rep(2024, "2025-02-20", cand("2025-01-30", "meta"))],
        [cap("2025-01-29", years={2023})],
        "2025-04-10",
    )
    assert v.status == "on_time"


def test_earliest_of_several_urls_counts():
    reports = [
        rep(2024, "2025-03-01", cand("2025-03-01", "meta"), url="http://x.gov.cn/repost.html"),
        rep(2024, "2025-01-25", cand("2025-01-25", "meta"), url="http://x.gov.cn/first.html"),
    ]
    v = judge(DEPT, 2024, reports, [], "2025-04-10")
    assert (v.status, v.published_at, v.report.url) == (
        "on_time",
        date(2025, 1, 25),
        "http://x.gov.cn/first.html",
    )


# -- reports not found --------------------------------------------------------------------------


def test_pending_before_the_deadline():
    v = judge(DEPT, 2024, [], [cap("2025-01-20")], "2025-01-31")
    assert (v.status, v.confidence) == ("pending", "high")


def test_within_grace_is_unknown():
    v = judge(DEPT, 2024, [], [cap("2025-02-02")], "2025-02-03", grace=3)
    assert v.status == "unknown" and "grace" in v.reason


def test_missing_needs_a_capture_after_deadline_plus_grace():
    v = judge(DEPT, 2024, [], [cap("2025-02-03")], "2025-02-20", grace=3)
    assert v.status == "unknown" and "never crawled after" in v.reason
    v = judge(DEPT, 2024, [], [cap("2025-02-03", run=1), cap("2025-02-04", run=2)], "2025-02-20", grace=3)
    assert (v.status, v.confidence) == ("missing", "medium")
    assert [e["role"] for e in v.evidence] == ["absence"] and v.evidence[0]["fetch"] == 20


def test_missing_with_two_captures_is_high_confidence_and_cites_both():
    v = judge(DEPT, 2024, [], [cap("2025-02-05", run=1), cap("2025-04-10", run=2)], "2025-04-10")
    assert (v.status, v.confidence) == ("missing", "high")
    assert [e["role"] for e in v.evidence] == ["absence", "latest_capture"]
    assert "711号 Art.49¶1" in v.reason


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"status": "blocked:ruishu"}, "blocked the crawler (ruishu)"),
        ({"status": "unreachable"}, "unreachable"),
        ({"status": "partial"}, "page cap"),
        ({"status": "empty", "years": frozenset()}, "listed no report at all"),
        ({"unidentified": 2}, "2 report-like link(s)"),
        ({"limit": (2019, 2023)}, "limited to report years 2019-2023"),
        ({"years": {2023, 2024}}, "listed a 2024 report"),
    ],
)
def test_unknown_when_absence_cannot_be_proven(kwargs, words):
    v = judge(DEPT, 2024, [], [cap("2025-04-10", **kwargs)], "2025-04-10")
    assert v.status == "unknown" and words in v.reason, v.reason
    assert v.evidence and v.evidence[0]["fetch"]


def test_a_blocked_latest_run_does_not_undo_an_earlier_proof():
    v = judge(
        DEPT,
        2024,
        [],
        [cap("2025-02-05", run=1), cap("2025-04-10", status="blocked:waf", run=2)],
        "2025-04-10",
    )
    assert v.status == "missing"


# -- as-of: nothing observed later counts ---------------------------------------------------------


def test_as_of_ignores_later_captures_and_reports():
    reports = [rep(2024, "2025-03-01", cand("2025-03-01", "meta"))]
    captures = [cap("2025-02-05", run=1), cap("2025-03-01", years={2023, 2024}, run=2)]
    assert judge(DEPT, 2024, reports, captures, "2025-02-20").status == "missing"
    assert judge(DEPT, 2024, reports, captures, "2025-04-10").status == "late"
    assert judge(DEPT, 2024, reports, captures, "2025-01-10").status == "pending"


# -- deadlines by kind and year, and which years get a verdict ------------------------------------


@pytest.mark.parametrize(
    ("source", "year", "published", "status"),
    [
        (REGION, 2024, "2025-03-31", "on_time"),  # region reports: 31 March, inclusive
        (REGION, 2024, "2025-04-01", "late"),
        (DEPT, 2024, "2025-01-31", "on_time"),
        (DEPT, 2024, "2025-02-01", "late"),
        (DEPT, 2018, "2019-03-31", "on_time"),  # 2018: 492号, 31 March for everyone
        (DEPT, 2019, "2020-02-01", "late"),  # 2019: the first year under Art. 49
        (DEPT, 2008, "2009-03-30", "on_time"),
        (DEPT, 2020, "2021-02-01", "late"),
        (DEPT, 2021, "2022-01-31", "on_time"),
        (TOWN, 2023, "2024-02-20", "on_time"),  # the source's local rule
        (TOWN, 2023, "2024-02-21", "late"),
    ],
)
def test_deadline_boundaries(source, year, published, status):
    day = date.fromisoformat(published)
    v = judge(source, year, [rep(year, published, cand(published, "meta"))], [], f"{day.year}-12-31")
    assert v.status == status


def test_verdict_years_run_from_first_year_to_last_year():
    verdicts = source_verdicts(TOWN, [], [cap("2025-04-10", years={2019})], date(2025, 4, 10))
    assert [v.year for v in verdicts] == list(range(2019, 2025))
    assert verdicts[-1].deadline.basis == "source override"


def test_as_dict_has_the_design_fields():
    d = judge(DEPT, 2024, [rep(2024, "2025-01-22", cand("2025-01-20", "meta"))], [], "2025-04-10").as_dict()
    for key in (
        "source",
        "agency",
        "year",
        "status",
        "deadline",
        "deadline_basis",
        "published_at",
        "published_at_source",
        "confidence",
        "reason",
        "report",
        "evidence",
    ):
        assert key in d
    assert d["deadline"] == "2025-01-31" and d["report"] == "r-2024-2025-01-22"


@pytest.mark.parametrize("status", ["ok", "empty", "partial", "blocked:waf", "unreachable"])
@pytest.mark.parametrize("unidentified", [0, 1])
@pytest.mark.parametrize("limit", [None, (2019, 2023), (2024, 2024)])
@pytest.mark.parametrize("listed", [frozenset(), frozenset({2024})])
def test_proves_absence_agrees_with_absence_problem(status, unidentified, limit, listed):
    c = Capture(1, at("2025-04-10"), status, listed, unidentified, limit)
    assert proves_absence(c, 2024) == (absence_problem(c, 2024) is None)


# -- no first_year in the registry: no claim before the column's oldest listed report -------------

NO_FIRST_YEAR = SourceInfo("gov-b", "某区人民政府", "region", "county", None, None)


def test_without_first_year_years_before_the_oldest_listed_report_are_unknown():
    """A column listing 2019–2023 (pruned after a redesign, or started late) proves nothing about
    2008–2018: those verdicts are unknown and say why, never missing."""
    captures = [cap("2025-04-10", years=frozenset(range(2019, 2024)))]
    reports = [rep(y, "2025-04-10", cand(f"{y + 1}-03-20", "meta")) for y in range(2019, 2024)]
    verdicts = source_verdicts(NO_FIRST_YEAR, reports, captures, date(2025, 4, 10), Policy(grace_days=3))
    by_year = {v.year: v for v in verdicts}
    assert min(by_year) == 2008 and max(by_year) == 2024
    for year in range(2008, 2019):
        assert by_year[year].status == "unknown", year
        assert "before the column's oldest listed report (2019)" in by_year[year].reason
    assert all(by_year[y].status == "on_time" for y in range(2019, 2024))
    assert by_year[2024].status == "missing"  # after the oldest listed year, absence is still proof


def test_an_explicit_first_year_keeps_the_claim_before_the_oldest_listed_report():
    source = SourceInfo("gov-c", "某区人民政府", "region", "county", None, 2008)
    captures = [cap("2025-04-10", years=frozenset(range(2019, 2024)))]
    # an explicit first_year keeps a claim (here the weaker not_online: 2025 is long after 2016's deadline)
    assert judge(source, 2015, [], captures, "2025-04-10").status == "not_online"
    assert judge(NO_FIRST_YEAR, 2015, [], captures, "2025-04-10").status == "unknown"


def test_without_first_year_a_column_that_never_listed_a_report_claims_nothing():
    v = judge(NO_FIRST_YEAR, 2023, [], [cap("2025-04-10", status="empty", years=frozenset())], "2025-04-10")
    assert v.status == "unknown" and "never listed a report" in v.reason


def test_without_first_year_pending_stays_pending():
    v = judge(NO_FIRST_YEAR, 2024, [], [cap("2025-01-10", years=frozenset({2023}))], "2025-01-10")
    assert v.status == "pending"


# -- missing needs an absence seen within the window after the deadline; later it is not_online -----


def test_an_absence_seen_only_long_after_the_deadline_is_not_online():
    """A column captured first in December, ten months after a 31 January deadline, without the
    report: it may have been published and pruned since, so the claim is not_online, not missing."""
    v = judge(
        DEPT, 2023, [], [cap("2024-12-01", years={2022}), cap("2024-12-08", years={2022})], "2024-12-08"
    )
    assert v.status == "not_online" and v.confidence == "high"
    assert "not online as of 2024-12-08" in v.reason and "183-day window" in v.reason
    assert [e["role"] for e in v.evidence] == ["absence", "latest_capture"]


def test_an_absence_within_the_window_is_missing_and_stays_missing():
    captures = [cap("2024-02-10", years={2022}), cap("2024-12-08", years={2022})]
    v = judge(DEPT, 2023, [], captures, "2024-12-08")
    assert v.status == "missing" and "within 183 days" in v.reason
    assert [e["fetch"] for e in v.evidence] == [10]  # the in-window capture is the proof


@pytest.mark.parametrize(("day", "status"), [("2024-08-04", "missing"), ("2024-08-06", "not_online")])
def test_the_window_boundary(day, status):
    # 2023 dept report due 2024-01-31, grace 3 days: the window runs 183 days from 2024-02-04
    assert judge(DEPT, 2023, [], [cap(day, years={2022})], day).status == status


def test_the_window_is_a_policy():
    captures = [cap("2024-12-01", years={2022})]
    wide = verdict_for(
        DEPT, 2023, [], captures, date(2024, 12, 1), Policy(grace_days=3, missing_window_days=400)
    )
    assert wide.status == "missing"
