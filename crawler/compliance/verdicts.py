"""Verdicts: was each (source, report year) published on time, late, or not at all? (DESIGN §6)

Pure functions over plain data (no I/O), so every rule is table-tested with an injected date.
A verdict is a claim a watchdog may publish, so each one rests on evidence it names, and when
the evidence does not prove a claim the status is ``unknown`` with the reason:

* **Publication date** — a date the agency states on the report page (``meta`` PubDate, then the
  visible 发布日期 as ``page``) unless it is known to be untrusted (flagged by the parser as the
  page-generation time, the epoch, a date before the reporting year ended, or a date after our
  own first capture of the page).  Next, the date the column lists beside the link (``list``:
  the only stated date of a report linked as a bare file), with medium confidence.  Otherwise
  our ``first_seen`` capture.  A URL date never makes a report late; it may support
  ``on_time`` with low confidence.
* **Late** needs a stated date after the deadline, or our ``first_seen`` bracketed by an earlier
  capture of the column, after the deadline, that did not list the report.  The same dated
  absence also exposes back-dating: a stated date before the deadline is overruled when a
  capture after both showed the column without the report (CASS found exactly this).
* **Missing** needs a capture of the source's columns after deadline + grace that proves the
  absence: every listing page read, the column listing at least one report (a column that lists
  nothing may be a wrong or broken column), the crawl not limited to other years, and every
  report-like link it listed identified.  Blocked, unreachable, partly read or never-crawled
  sources are ``unknown`` with that reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from crawler.compliance.deadlines import FIRST_REPORT_YEAR, Deadline, expected_deadline
from crawler.vocab.clock import CHINA_TZ
from crawler.vocab.records import ArchivedReport, Capture
from crawler.vocab.words import SOURCE_EMPTY, SOURCE_OK

STATED_SOURCES = ("meta", "page")  # dates the agency states on the report page (DESIGN §6)
LIST_SOURCE = "list"  # the date the column shows next to the link: stated by the agency, one step removed
WEAK_SOURCES = ("url",)  # may support on_time, never late
EPOCH_LIMIT = date(1990, 1, 1)
DEFAULT_GRACE_DAYS = 3
DEFAULT_MISSING_WINDOW_DAYS = 183


def covers(capture: Capture, year: int) -> bool:
    """Did the capture's run look for reports of ``year`` (no ``--years`` limit excluding it)?"""
    return capture.years is None or capture.years[0] <= year <= capture.years[1]


def absence_problem(capture: Capture, year: int) -> str | None:
    """Why this capture cannot prove that no report of ``year`` was listed (None: it can)."""
    if capture.status == SOURCE_EMPTY:
        return (
            "the column listed no report at all (a wrong or broken column cannot be told from an empty one)"
        )
    if capture.status != SOURCE_OK:
        return _STATUS_REASONS.get(capture.status.split(":")[0], "the crawl did not finish") + _kind(
            capture.status
        )
    if not covers(capture, year):
        assert capture.years is not None  # covers() is True for a crawl without a --years limit
        return f"the crawl was limited to report years {capture.years[0]}-{capture.years[1]}"
    if capture.unidentified:
        return f"{capture.unidentified} report-like link(s) listed on the column could not be identified"
    if year in capture.listed_years:
        return f"the column listed a {year} report"
    return None


def proves_absence(capture: Capture, year: int) -> bool:
    """Does this capture show the source's columns in full, without a report of ``year``?"""
    # absence_problem(capture, year) is None, without formatting the reason (hot path: 1.5 M verdicts)
    return (
        capture.status == SOURCE_OK
        and covers(capture, year)
        and not capture.unidentified
        and year not in capture.listed_years
    )


_STATUS_REASONS = {
    "blocked": "the source blocked the crawler",
    "unreachable": "the source was unreachable",
    "partial": "some listing pages failed or the page cap cut the walk short",
}


def _kind(status: str) -> str:
    return f" ({status.split(':', 1)[1]})" if ":" in status else ""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """The registry facts a verdict needs."""

    id: str
    agency: str
    kind: str
    level: str = ""
    region: str | None = None
    first_year: int | None = None  # None: years before the column's oldest listed report are unknown
    deadline: str | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """Product decisions (settings): grace after the deadline, the townships' default rule, the
    reuse that makes a ``copied`` flag."""

    grace_days: int = DEFAULT_GRACE_DAYS
    township_default: str = "01-31"
    # ``missing`` needs an absence seen within this many days after deadline + grace (the season
    # after the deadline); an absence seen only later is ``not_online``: the report may have been
    # published and removed since (columns are pruned after redesigns).
    missing_window_days: int = DEFAULT_MISSING_WINDOW_DAYS
    # ``copied`` flags: a report repeating at least this share of another body's earlier report,
    # or of its own previous year's (a higher bar: a body's reports share its own wording).
    copied_threshold: float = 0.5
    repeat_threshold: float = 0.9
    # … and sharing at least this many characters of own wording: a report with almost no text
    # of its own beyond the format's (a title, the customary preamble) cannot be called a copy
    copied_min_chars: int = 100


DEFAULT_POLICY = Policy()


@dataclass(slots=True)
class Verdict:
    """The compliance verdict of one (source, report year); ``as_dict`` is the JSON of DESIGN §7."""

    source: SourceInfo
    year: int
    deadline: Deadline
    status: str
    confidence: str
    reason: str
    reason_zh: str
    as_of: date
    grace_days: int
    published_at: date | None = None
    published_at_source: str = "none"
    first_seen_at: datetime | None = None
    report: ArchivedReport | None = None
    evidence: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        s = self.source
        return {
            "source": s.id,
            "agency": s.agency,
            "level": s.level,
            "region": s.region,
            "kind": s.kind,
            "year": self.year,
            "status": self.status,
            "deadline": _day_iso(self.deadline.due),
            "deadline_basis": self.deadline.basis,
            "grace_days": self.grace_days,
            "published_at": _day_iso(self.published_at) if self.published_at else None,
            "published_at_source": self.published_at_source,
            "first_seen_at": _ts_iso(self.first_seen_at) if self.first_seen_at else None,
            "confidence": self.confidence,
            "reason": self.reason,
            "reason_zh": self.reason_zh,
            "report": self.report.id if self.report else None,
            "report_url": self.report.url if self.report else None,
            "title": self.report.title if self.report else None,
            "as_of": _day_iso(self.as_of),
            "evidence": self.evidence,
        }


# -- dates ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatedDate:
    date: date
    source: str
    raw: str
    report: ArchivedReport


def date_problem(cand: dict, year: int, first_seen: date) -> str | None:
    """Why a date candidate cannot be the report's publication date (None: usable)."""
    d = date.fromisoformat(cand["date"])
    if not cand.get("trusted", True):
        return cand.get("note") or "marked untrusted by the page parser"
    if d < EPOCH_LIMIT:
        return "an epoch or placeholder date"
    if d < date(year, 12, 1):
        return f"before the {year} reporting year ended"
    if d > first_seen:
        return f"after our first capture of the page ({first_seen.isoformat()})"
    return None


_NOTED = frozenset((*STATED_SOURCES, LIST_SOURCE))
_KNOWN = frozenset((*STATED_SOURCES, LIST_SOURCE, *WEAK_SOURCES))


def _dates(reports: Sequence[ArchivedReport]) -> tuple[dict[str, StatedDate], list[str]]:
    """One pass over the candidates: the earliest usable date of each provenance, and notes on
    the stated (meta/page/list) dates set aside and why."""
    best: dict[str, StatedDate] = {}
    notes: list[str] = []
    for rep in reports:
        first_seen = rep.first_seen_at.date()
        for cand in rep.date_candidates:
            source = cand.get("source")
            if source not in _KNOWN:
                continue
            problem = date_problem(cand, rep.year, first_seen)
            if problem:
                if source in _NOTED:
                    notes.append(f"{cand['source']} date {cand['date']} ignored: {problem}")
                continue
            d = date.fromisoformat(cand["date"])
            old = best.get(source)
            if old is None or d < old.date:
                best[source] = StatedDate(d, source, cand.get("raw", ""), rep)
    return best, notes


# -- evidence ------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _fmt(ts: datetime) -> str:
    return ts.isoformat(timespec="seconds")


_day_iso = lru_cache(maxsize=4096)(date.isoformat)
_ts_iso = lru_cache(maxsize=4096)(datetime.isoformat)


def capture_evidence(capture: Capture, role: str, shows: str, shows_zh: str) -> list[dict]:
    """One evidence item per listing page of a capture (a 304 also names the capture it confirmed)."""
    out = []
    for page in capture.pages:
        item = {
            "fetch": page.fetch_id,
            "url": page.url,
            "fetched_at": page.fetched_at,
            "role": role,
            "shows": shows,
            "shows_zh": shows_zh,
        }
        if page.basis_fetch_id and page.basis_fetch_id != page.fetch_id:
            item["basis_fetch"] = page.basis_fetch_id
            item["shows"] = (
                shows + f" (server answered 304 Not Modified: content of capture #{page.basis_fetch_id})"
            )
            item["shows_zh"] = shows_zh + f"（服务器返回304未修改：内容同第{page.basis_fetch_id}号抓取）"
        out.append(item)
    return out


def report_evidence(rep: ArchivedReport, role: str, shows: str, shows_zh: str) -> dict:
    return {
        "fetch": rep.first_fetch_id,
        "url": rep.url,
        "fetched_at": _fmt(rep.first_seen_at),
        "role": role,
        "shows": shows,
        "shows_zh": shows_zh,
    }


# -- the decision --------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _end_of(day: date, tz) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)


def verdict_for(
    source: SourceInfo,
    year: int,
    reports: Sequence[ArchivedReport],
    captures: Sequence[Capture],
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> Verdict:
    """The verdict of ``source``'s ``year`` report as of the end of ``as_of``.

    ``reports`` are the source's own reports of that year, ``captures`` its crawl runs (any
    order); anything observed after ``as_of`` is ignored, so a verdict can be re-derived for
    any past date.
    """
    horizon = _end_of(as_of, CHINA_TZ)
    captures = sorted((c for c in captures if c.at < horizon), key=_capture_at)
    reports = sorted((r for r in reports if r.first_seen_at < horizon), key=_first_seen)
    return _decide(source, year, reports, captures, as_of, policy, oldest_listed(captures, reports))


def _capture_at(c: Capture) -> datetime:
    return c.at


def _first_seen(r: ArchivedReport) -> datetime:
    return r.first_seen_at


@lru_cache(maxsize=4096)
def _deadline(kind: str, year: int, override: str | None, township_default: str) -> Deadline:
    return expected_deadline(kind, year, override=override, township_default=township_default)


def oldest_listed(captures: Iterable[Capture], reports: Iterable[ArchivedReport]) -> int | None:
    """The oldest report year the source's columns ever listed (or the archive holds), None if none."""
    years = [min(c.listed_years) for c in captures if c.listed_years]
    years += [r.year for r in reports]
    return min(years, default=None)


def _decide(
    source: SourceInfo,
    year: int,
    reports: Sequence[ArchivedReport],
    captures: Sequence[Capture],
    as_of: date,
    policy: Policy,
    oldest: int | None,
) -> Verdict:
    """:func:`verdict_for` on inputs already limited to ``as_of`` and sorted by time."""
    dl = _deadline(source.kind, year, source.deadline, policy.township_default)
    v = Verdict(source, year, dl, "unknown", "low", "", "", as_of, policy.grace_days)
    if reports:
        _published(v, reports, captures, CHINA_TZ)
    elif source.first_year is None and as_of > dl.due and (oldest is None or year < oldest):
        _before_oldest(v, oldest)
    else:
        _unpublished(v, captures, policy, CHINA_TZ)
    return v


def _before_oldest(v: Verdict, oldest: int | None) -> None:
    """No claim for a year the column may have dropped: without an explicit ``first_year`` the
    registry does not say which years to expect, and columns are pruned after redesigns."""
    if oldest is None:
        reason = "the source's columns have never listed a report, and its registry entry sets no first_year"
        reason_zh = "该来源栏目从未列出任何年度报告，且登记信息未设定起始年份（first_year）"
    else:
        reason = (
            f"before the column's oldest listed report ({oldest}); its registry entry sets no first_year, "
            "and a column pruned after a redesign does not prove that an older report was never published"
        )
        reason_zh = f"早于栏目所列最早的年度报告（{oldest}年）；登记信息未设定起始年份，栏目改版删减旧报告不能证明其从未发布"
    _set(v, "unknown", "low", reason, reason_zh, [])


def _absence_after(captures: Sequence[Capture], year: int, start: datetime, end: datetime) -> Capture | None:
    """The latest capture in [start, end) that proves no report of ``year`` was listed."""
    found = None
    for c in captures:
        if start <= c.at < end and proves_absence(c, year):
            found = c
    return found


def _published(v: Verdict, reports: Sequence[ArchivedReport], captures: Sequence[Capture], tz) -> None:
    first = reports[0]
    due, year = v.deadline.due, v.year
    v.report, v.first_seen_at = first, first.first_seen_at
    after_deadline = _end_of(due, tz)
    absence = _absence_after(captures, year, after_deadline, first.first_seen_at)
    seen = report_evidence(
        first,
        "first_capture",
        f"our first capture of the report: {first.title or first.url}",
        f"首次抓取到该报告：{first.title or first.url}",
    )
    best, notes = _dates(reports)
    stated = best.get("meta") or best.get("page") or best.get(LIST_SOURCE)
    if stated is not None:
        sure = "high" if stated.source in STATED_SOURCES else "medium"
        v.published_at, v.published_at_source = stated.date, stated.source
        v.report = stated.report
        where, where_zh = (
            ("the report page states", "报告页面标注")
            if sure == "high"
            else ("the column lists it", "栏目列表标注")
        )
        date_ev = report_evidence(
            stated.report,
            "stated_date",
            f"{where} it was published on {stated.date} ({stated.source}: {stated.raw!r})",
            f"{where_zh}的发布日期为{stated.date}（{stated.source}：{stated.raw!r}）",
        )
        if stated.date > due:
            _set(
                v,
                "late",
                sure,
                f"published {stated.date}, {(stated.date - due).days} day(s) after the "
                f"deadline {due} ({v.deadline.basis}); date from {stated.source}",
                f"发布于{stated.date}，晚于{due}截止日期（{v.deadline.basis}）{(stated.date - due).days}天",
                [date_ev, seen],
            )
            return
        if absence is not None and absence.at.date() >= stated.date:
            v.published_at, v.published_at_source = first.first_seen_at.date(), "first_seen"
            _set(
                v,
                "late",
                "medium",
                f"the page states {stated.date} ({stated.source}) but our capture of the column on "
                f"{absence.at.date()}, after the deadline {due}, did not list it; first captured "
                f"{first.first_seen_at.date()} (the stated date is contradicted: possible back-dating)",
                f"页面标注{stated.date}，但截止日期{due}之后{absence.at.date()}抓取的栏目未列出该报告；"
                f"首次抓取于{first.first_seen_at.date()}（标注日期与抓取记录矛盾，疑似倒签）",
                [
                    date_ev,
                    *capture_evidence(
                        absence,
                        "absence",
                        f"the column after the deadline, without the {year} report",
                        f"截止日期后的栏目页面，未列出{year}年度报告",
                    ),
                    seen,
                ],
            )
            return
        _set(
            v,
            "on_time",
            sure,
            f"published {stated.date}, on or before the deadline {due} "
            f"({v.deadline.basis}); date from {stated.source}" + _notes(notes),
            f"发布于{stated.date}，未超过{due}截止日期（{v.deadline.basis}）",
            [date_ev, seen],
        )
        return
    fs = first.first_seen_at.date()
    if fs <= due:
        v.published_at, v.published_at_source = fs, "first_seen"
        _set(
            v,
            "on_time",
            "high",
            f"no trusted stated date; our capture shows it online on {fs}, on or before "
            f"the deadline {due}" + _notes(notes),
            f"页面无可信发布日期；我们于{fs}抓取到该报告，未超过{due}截止日期",
            [seen],
        )
        return
    if absence is not None:
        v.published_at, v.published_at_source = fs, "first_seen"
        _set(
            v,
            "late",
            "high",
            f"no trusted stated date; our capture of the column on {absence.at.date()}, after the deadline "
            f"{due}, did not list it, and it was first captured on {fs}" + _notes(notes),
            f"页面无可信发布日期；截止日期{due}之后{absence.at.date()}抓取的栏目未列出该报告，{fs}首次抓取到",
            [
                *capture_evidence(
                    absence,
                    "absence",
                    f"the column after the deadline, without the {year} report",
                    f"截止日期后的栏目页面，未列出{year}年度报告",
                ),
                seen,
            ],
        )
        return
    weak = best.get("url")
    if weak is not None and weak.date <= due:
        v.published_at, v.published_at_source = weak.date, weak.source
        _set(
            v,
            "on_time",
            "low",
            f"only a {weak.source} date ({weak.date}, on or before the deadline {due}) "
            f"dates it; first captured {fs}" + _notes(notes),
            f"仅有{weak.source}日期（{weak.date}）早于截止日期{due}；首次抓取于{fs}",
            [
                report_evidence(
                    weak.report,
                    "stated_date",
                    f"{weak.source} date {weak.date} ({weak.raw!r})",
                    f"{weak.source}日期{weak.date}",
                ),
                seen,
            ],
        )
        return
    hint = f"; its {weak.source} date {weak.date} is not proof" if weak else ""
    _set(
        v,
        "unknown",
        "low",
        f"first captured on {fs}, after the deadline {due}, with no trusted stated date and no earlier capture "
        f"of the column after the deadline{hint}" + _notes(notes),
        f"截止日期{due}之后的{fs}才首次抓取到，页面无可信发布日期，且截止日期后无更早的栏目抓取记录",
        [seen],
    )


def _unpublished(v: Verdict, captures: Sequence[Capture], policy: Policy, tz) -> None:
    due, year = v.deadline.due, v.year
    if v.as_of <= due:
        _set(
            v,
            "pending",
            "high",
            f"not found yet; the deadline {due} ({v.deadline.basis}) has not passed",
            f"尚未发现；截止日期{due}（{v.deadline.basis}）未到",
            [],
        )
        return
    window_start = _end_of(due + timedelta(days=policy.grace_days), tz)
    window_end = window_start + timedelta(days=policy.missing_window_days)
    after = [c for c in captures if c.at >= window_start]
    proving = [c for c in after if proves_absence(c, year)]
    in_window = [c for c in proving if c.at < window_end]
    if proving and not in_window:
        _not_online(v, proving, policy)
        return
    if in_window:
        first, last = in_window[0], in_window[-1]
        evidence = _absence_evidence(first, last, year)
        _set(
            v,
            "missing",
            "high" if len(in_window) > 1 else "medium",
            f"not published: {len(in_window)} complete capture(s) of the column between {first.at.date()} and "
            f"{last.at.date()}, after the deadline {due} ({v.deadline.basis}) + {policy.grace_days} day(s) "
            f"grace and within {policy.missing_window_days} days of it, list no {year} report",
            f"未发布：截止日期{due}（{v.deadline.basis}）及{policy.grace_days}天宽限期后{policy.missing_window_days}天内，"
            f"{first.at.date()}至{last.at.date()}间{len(in_window)}次完整抓取栏目均未见{year}年度报告",
            evidence,
        )
        return
    if v.as_of < window_start.date():
        _set(
            v,
            "unknown",
            "low",
            f"not found; the deadline {due} passed but the {policy.grace_days}-day grace period has not",
            f"尚未发现；截止日期{due}已过，但{policy.grace_days}天宽限期未满",
            [],
        )
        return
    if not after:
        _set(
            v,
            "unknown",
            "low",
            f"not found, but the source was never crawled after the deadline {due} + "
            f"{policy.grace_days} day(s) grace",
            f"尚未发现，但截止日期{due}及宽限期后未抓取过该来源",
            [],
        )
        return
    last = after[-1]
    problem = absence_problem(last, year) or "no capture could prove the absence"
    kind = "blocked" if last.status.startswith("blocked") else "latest_capture"
    _set(
        v,
        "unknown",
        "low",
        f"not found, but absence cannot be proven: {problem} (latest capture {last.at.date()})",
        f"尚未发现，但无法证明未发布：{_ZH.get(last.status.split(':')[0], '抓取记录不足')}"
        f"（最近抓取{last.at.date()}）",
        capture_evidence(
            last,
            kind,
            f"capture on {last.at.date()}: {problem}",
            f"{last.at.date()}的抓取：{_ZH.get(last.status.split(':')[0], '无法证明')}",
        ),
    )


def _absence_evidence(first: Capture, last: Capture, year: int) -> list[dict]:
    """The first capture that showed the column without the report, and the latest that still did."""
    evidence = capture_evidence(
        first,
        "absence",
        f"the column, {first.at.date()}: no {year} report listed",
        f"{first.at.date()}的栏目页面：未列出{year}年度报告",
    )
    if last is not first:
        evidence += capture_evidence(
            last,
            "latest_capture",
            f"the column, {last.at.date()}: still no {year} report",
            f"{last.at.date()}的栏目页面：仍未列出{year}年度报告",
        )
    return evidence


def _not_online(v: Verdict, proving: Sequence[Capture], policy: Policy) -> None:
    """Absent from complete captures, but none of them came soon enough after the deadline to tell
    a report never published from one removed later: the weaker claim ``not_online``."""
    due, year = v.deadline.due, v.year
    first, last = proving[0], proving[-1]
    late_by = (first.at.date() - due).days
    evidence = _absence_evidence(first, last, year)
    _set(
        v,
        "not_online",
        "high" if len(proving) > 1 else "medium",
        f"not online as of {last.at.date()}: {len(proving)} complete capture(s) of the column from "
        f"{first.at.date()} list no {year} report, but the first came {late_by} days after the deadline {due}, "
        f"past the {policy.missing_window_days}-day window in which an absence shows a report was never "
        "published (it may have been published and removed since)",
        f"截至{last.at.date()}未见在线：{first.at.date()}起{len(proving)}次完整抓取栏目均未见{year}年度报告，"
        f"但首次抓取晚于截止日期{due}达{late_by}天，超出{policy.missing_window_days}天的判定窗口，"
        "不能证明从未发布（可能已发布后被删除）",
        evidence,
    )


_ZH = {
    "blocked": "来源屏蔽了抓取",
    "unreachable": "来源无法访问",
    "partial": "部分栏目页面未能读取",
    "empty": "栏目未列出任何报告",
    "ok": "栏目中有无法识别的链接或抓取限定了年份",
}


def _notes(notes: list[str]) -> str:
    return ("; " + "; ".join(notes)) if notes else ""


def _set(v: Verdict, status: str, confidence: str, reason: str, reason_zh: str, evidence: list[dict]) -> None:
    v.status, v.confidence, v.reason, v.reason_zh, v.evidence = (
        status,
        confidence,
        reason,
        reason_zh,
        evidence,
    )


def years_due(first_year: int, as_of: date) -> range:
    """Report years with a verdict as of ``as_of``: first_year .. the year before ``as_of``."""
    return range(first_year, as_of.year)


def source_verdicts(
    source: SourceInfo,
    reports: Iterable[ArchivedReport],
    captures: Sequence[Capture],
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> list[Verdict]:
    """Verdicts of every report year of ``source`` (its own reports of all years, its captures)."""
    horizon = _end_of(as_of, CHINA_TZ)  # what verdict_for does per year, once per source
    captures = sorted((c for c in captures if c.at < horizon), key=_capture_at)
    by_year: dict[int, list[ArchivedReport]] = {}
    for rep in reports:
        if rep.first_seen_at < horizon:
            by_year.setdefault(rep.year, []).append(rep)
    for reps in by_year.values():
        reps.sort(key=_first_seen)
    oldest = min([*(min(c.listed_years) for c in captures if c.listed_years), *by_year], default=None)
    return [
        _decide(source, y, by_year.get(y, ()), captures, as_of, policy, oldest)
        for y in years_due(source.first_year or FIRST_REPORT_YEAR, as_of)
    ]
