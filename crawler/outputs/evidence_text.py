"""The human side of an evidence bundle: the legal rule behind a deadline and the timeline of
what was observed when, in English and Chinese (pure functions, plain text).

Crawled strings (agency names in pages, titles, URLs) are kept on one line each, so a newline
inside one cannot forge a timeline entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from crawler.compliance import deadlines as dl
from crawler.vocab.clock import CHINA_TZ
from crawler.vocab.text import one_line

_711 = "《中华人民共和国政府信息公开条例》（国务院令第711号）"


@dataclass(slots=True)
class Collected:
    """What a bundle holds so far: WARC members, the records copied and those unavailable (why)."""

    members: list[bytes] = field(default_factory=list)
    seen: set[tuple[str, int]] = field(default_factory=set)
    copied: list[tuple[str, str]] = field(default_factory=list)  # (English, Chinese) per fetch copied
    unavailable: list[tuple[int | str, str]] = field(default_factory=list)
    # (fetch id, offset in records.warc.gz, length) of each indexed record copied: what chain.json
    # ties to the manifest chain
    placed: list[tuple[int, int, int]] = field(default_factory=list)


RULES = {
    dl.BASIS_711_DEPT: (
        f"{_711}第四十九条第一款",
        "县级以上人民政府部门应当在每年1月31日前向本级政府信息公开工作主管部门提交本行政机关上一年度"
        "政府信息公开工作年度报告并向社会公布。",
        "Regulations on Open Government Information (State Council Decree 711), Art. 49 ¶1: departments "
        "of people's governments at county level and above publish their annual report for the previous "
        "year by 31 January.",
    ),
    dl.BASIS_711_REGION: (
        f"{_711}第四十九条第二款",
        "县级以上地方人民政府的政府信息公开工作主管部门应当在每年3月31日前向社会公布本级政府上一年度"
        "政府信息公开工作年度报告。",
        "Regulations on Open Government Information (State Council Decree 711), Art. 49 ¶2: the "
        "government's open-information office publishes the region-wide annual report for the previous "
        "year by 31 March.",
    ),
    dl.BASIS_492: (
        "《中华人民共和国政府信息公开条例》（国务院令第492号，2008年施行）第三十一条",
        "各级行政机关应当在每年3月31日前公布本行政机关的政府信息公开工作年度报告。",
        "Regulations on Open Government Information (State Council Decree 492, in force 2008), Art. 31: "
        "every administrative body publishes its annual report by 31 March (report years up to 2018).",
    ),
}


def deadline_facts(verdict: dict) -> dict:
    """deadline.json: the due date, its basis, the grace days and the rule in Chinese and English."""
    basis, due = verdict.get("deadline_basis") or "", verdict.get("deadline")
    grace = verdict.get("grace_days") or 0
    out = {
        "year": verdict.get("year"),
        "kind": verdict.get("kind"),
        "deadline": due,
        "basis": basis,
        "grace_days": grace,
        "grace_until": None,
    }
    try:
        out["grace_until"] = (date.fromisoformat(due) + timedelta(days=int(grace))).isoformat()
    except (TypeError, ValueError):
        pass
    if basis in RULES:
        cite, text_zh, text_en = RULES[basis]
        out["rule"] = {"citation": cite, "text_zh": f"「{text_zh}」", "en": text_en}
    elif basis == dl.BASIS_OVERRIDE:
        md = (due or "")[5:]
        out["rule"] = {
            "citation": "local rule (source registry override)",
            "text_zh": f"本来源登记的地方规定：每年{md}前公布上一年度报告（取代711号第四十九条的法定日期）",
            "en": f"A local rule recorded for this source in the registry sets {md} of the following "
            "year; it replaces the statutory date of 711号 Art.49 for report years from 2019.",
        }
    elif basis == dl.BASIS_LOCAL_DEFAULT:
        md = (due or "")[5:]
        out["rule"] = {
            "citation": "local/default (not named in 711号 Art.49)",
            "text_zh": f"乡镇（街道）及派出机构未列入711号第四十九条，适用地方规定；未登记地方规定时按默认{md}前公布",
            "en": "Townships, streets and 派出机构 are not named in 711号 Art.49, so a local rule "
            f"applies; none is recorded for this source, so nianbao's configured default "
            f"({md}) is used.",
        }
    else:
        out["rule"] = {
            "citation": basis,
            "text_zh": "（无此依据的说明）",
            "en": "(no statement for this basis)",
        }
    return out


def evidence_items(verdict: dict, flags: list[dict]) -> list[dict]:
    """The evidence items of a verdict and its flags, in that order."""
    out = [e for e in verdict.get("evidence") or [] if isinstance(e, dict)]
    for flag in flags:
        out += [e for e in flag.get("evidence") or [] if isinstance(e, dict)]
    return out


def _when(ts: str | None) -> tuple[str, str]:
    """(sort key, display) of a timestamp; unparsable ones sort last as given."""
    try:
        moment = datetime.fromisoformat(ts or "")
    except ValueError:
        return "9999~" + one_line(ts), one_line(ts) or "?"
    key = (moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)).astimezone(UTC).isoformat()
    return key, moment.strftime("%Y-%m-%d %H:%M") if len(ts or "") > 10 else moment.strftime("%Y-%m-%d")


STATUS_ZH = {
    "on_time": "按时发布",
    "late": "逾期发布",
    "missing": "未发布",
    "not_online": "未见在线",
    "pending": "未到期",
    "unknown": "无法判定",
}
CONFIDENCE_ZH = {"high": "高", "medium": "中", "low": "低"}
STATE_ZH = {"open": "未关闭", "closed": "已关闭"}


def _timeline(verdict: dict, flags: list[dict], deadline: dict) -> list[tuple[str, str, str]]:
    """(sort key, English line, Chinese line) of the deadline, the stated publication date and
    every observation the evidence names, in date order."""
    v, basis = verdict, one_line(deadline["basis"])
    events = []
    if v.get("deadline"):
        key, _ = _when(f"{v['deadline']}T23:59:59")
        events.append(
            (
                key,
                f"{one_line(v['deadline'])}        deadline ({basis})",
                f"{one_line(v['deadline'])}        截止日期（{basis}）",
            )
        )
    if v.get("published_at") and v.get("published_at_source") not in (None, "none", "first_seen"):
        key, _ = _when(f"{v['published_at']}T00:00:00")
        where = one_line(v.get("published_at_source"))
        events.append(
            (
                key,
                f"{one_line(v['published_at'])}        published, as stated ({where})",
                f"{one_line(v['published_at'])}        标注的发布日期（{where}）",
            )
        )
    seen = set()
    for item in evidence_items(verdict, flags):
        ident = (item.get("fetch"), item.get("role"), item.get("shows"))
        if ident in seen:
            continue
        seen.add(ident)
        key, shown = _when(item.get("fetched_at"))
        fetch, url, role = one_line(item.get("fetch")), one_line(item.get("url")), one_line(item.get("role"))
        events.append(
            (
                key,
                f"{shown}  fetch #{fetch} {url}: {one_line(item.get('shows'))} [{role}]",
                f"{shown}  第{fetch}号抓取 {url}：{one_line(item.get('shows_zh') or item.get('shows'))}［{role}］",
            )
        )
    events.sort(key=lambda e: e[0])
    return events


def summaries(
    verdict: dict, flags: list[dict], deadline: dict, records: Collected, files: list[tuple[str, bytes, str]]
) -> tuple[str, str]:
    """The English and Chinese summaries (plain text; crawled strings kept on their own line)."""
    v = verdict
    agency, source, year = one_line(v.get("agency")), one_line(v.get("source")), one_line(v.get("year"))
    status, confidence = one_line(v.get("status")), one_line(v.get("confidence"))
    rule, due, basis = deadline["rule"], one_line(v.get("deadline")), one_line(deadline["basis"])
    en = [
        f"Evidence: {agency} ({source}), {year} annual report on open government information",
        f"Verdict as of {one_line(v.get('as_of'))}: {status.upper()} (confidence {confidence})",
        f"Deadline: {due} ({basis}); grace {deadline['grace_days']} day(s), until {deadline['grace_until']}",
        f"  {rule['citation']}: {rule['en']}",
    ]
    zh = [
        f"证据包：{agency}（{source}）{year}年度政府信息公开工作年度报告",
        f"截至{one_line(v.get('as_of'))}的判定：{STATUS_ZH.get(status, status)}（{status}；置信度"
        f"{CONFIDENCE_ZH.get(confidence, confidence)}）",
        f"截止日期：{due}（{basis}）；宽限{deadline['grace_days']}天，至{deadline['grace_until']}",
        f"  {rule['citation']}：{rule['text_zh']}",
    ]
    if v.get("report_url") or v.get("title"):
        en.append(f"Report: {one_line(v.get('title')) or '(untitled)'}  {one_line(v.get('report_url'))}")
        zh.append(f"报告：{one_line(v.get('title')) or '（无标题）'}  {one_line(v.get('report_url'))}")
    if v.get("published_at"):
        en.append(
            f"Publication date used: {one_line(v['published_at'])} ({one_line(v.get('published_at_source'))})"
        )
        zh.append(
            f"采用的发布日期：{one_line(v['published_at'])}（{one_line(v.get('published_at_source'))}）"
        )
    events = _timeline(verdict, flags, deadline)
    en += ["", "Timeline", *(e[1] for e in events), "", f"Verdict: {status} - {one_line(v.get('reason'))}"]
    zh += [
        "",
        "时间线",
        *(e[2] for e in events),
        "",
        f"判定：{STATUS_ZH.get(status, status)}——{one_line(v.get('reason_zh') or v.get('reason'))}",
    ]
    if flags:
        en += ["", "Flags"]
        zh += ["", "标记"]
        for f in flags:
            fid, kind, state, opened = (one_line(f.get(k)) for k in ("id", "kind", "state", "opened_at"))
            en.append(f"#{fid} {kind} ({state}), opened {opened}: {one_line(f.get('summary'))}")
            zh.append(
                f"#{fid} {kind}（{STATE_ZH.get(state, state)}），{opened}开启："
                f"{one_line(f.get('summary_zh') or f.get('summary'))}"
            )
    en += [
        "",
        f"Archived records (records.warc.gz, {len(records.members)} WARC record(s))",
        *(c[0] for c in records.copied),
    ]
    zh += [
        "",
        f"存档记录（records.warc.gz，共{len(records.members)}条WARC记录）",
        *(c[1] for c in records.copied),
    ]
    for fetch_id, why in records.unavailable:
        en.append(f"record #{one_line(fetch_id)} unavailable: {one_line(why)}")
        zh.append(f"第{one_line(fetch_id)}号记录不可用：{one_line(why)}")
    if files:
        en += ["", "Documents (files/)"]
        zh += ["", "文件（files/）"]
        for name, data, what in files:
            en.append(f"files/{name}  ({what}, {len(data)} bytes)")
            zh.append(f"files/{name}（{what}，{len(data)}字节）")
    return "\n".join(en) + "\n", "\n".join(zh) + "\n"


# -- the bundle ----------------------------------------------------------------------------------
