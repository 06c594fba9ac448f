"""Flags: the claims a check makes (missing, late, edited, …) and their lifecycle.

Pure functions.  A check computes the flags that *should* be open (:func:`compliance_flags`,
:func:`edit_flag`), then :func:`reconcile` compares them with the stored ones and says what to
write: a new flag is ``opened``; an open flag whose state changed (a missing report that
appeared late: ``missing`` → ``late``) is ``updated``; one no longer claimed is ``closed``; a
closed one claimed again is ``reopened``.  Each of those is one history event, delivered once.
A new capture that only refreshes the evidence updates the row silently (no event), so the
same claim never notifies twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from crawler.compliance.edits import Edit
from crawler.vocab.words import COMPLIANCE_KINDS

OPEN, CLOSED = "open", "closed"


@dataclass(slots=True)
class Desired:
    """A flag a check wants open, with what identifies its state (``state``: fingerprinted)."""

    key: str
    kind: str
    source: str
    agency: str
    year: int | None
    report: str | None
    summary: str
    summary_zh: str
    url: str | None
    evidence: list[dict]
    detail: dict = field(default_factory=dict)
    state: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        blob = json.dumps({"kind": self.kind, **self.state}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def compliance_key(source: str, year: int) -> str:
    return f"compliance:{source}:{year}"


def edited_key(source: str, report: str) -> str:
    return f"edited:{source}:{report}"


def copied_key(source: str, report: str, comparison: str) -> str:
    return f"copied:{source}:{report}:{comparison}"


def key_source(key: str) -> str:
    """The source id inside a flag key (``<family>:<source>:…``; source ids contain no colon)."""
    return key.split(":", 2)[1]


def compliance_flags(verdicts: Iterable[dict]) -> dict[str, Desired]:
    """``missing``/``not_online``/``late`` flags for the verdicts that make those claims (one key
    per source-year: a missing report that appears becomes late)."""
    out = {}
    for v in verdicts:
        if v["status"] not in COMPLIANCE_KINDS:
            continue
        key = compliance_key(v["source"], v["year"])
        if v["status"] == "late":
            title = f" “{v['title']}”" if v.get("title") else ""
            summary = (
                f"{v['agency']}: {v['year']} report{title} published {v['published_at']} "
                f"(after the {v['deadline']} deadline, {v['deadline_basis']})"
            )
            summary_zh = (
                f"{v['agency']}{v['year']}年度报告{title}于{v['published_at']}发布，"
                f"晚于{v['deadline']}截止日期"
            )
        elif v["status"] == "not_online":
            summary = (
                f"{v['agency']}: no {v['year']} report online when first checked, long after the "
                f"{v['deadline']} deadline (not proof it was never published)"
            )
            summary_zh = f"{v['agency']}{v['year']}年度报告在截止日期{v['deadline']}很久之后的检查中未见在线（不能证明从未发布）"
        else:
            summary = f"{v['agency']}: no {v['year']} report found after the {v['deadline']} deadline"
            summary_zh = f"{v['agency']}{v['year']}年度报告在{v['deadline']}截止日期后仍未发布"
        state = {"status": v["status"], "published_at": v["published_at"], "deadline": v["deadline"]}
        out[key] = Desired(
            key,
            v["status"],
            v["source"],
            v["agency"],
            v["year"],
            v["report"],
            summary,
            summary_zh,
            v.get("report_url"),
            v["evidence"],
            {
                "deadline": v["deadline"],
                "deadline_basis": v["deadline_basis"],
                "published_at_source": v["published_at_source"],
                "confidence": v["confidence"],
                "reason": v["reason"],
                "reason_zh": v["reason_zh"],
            },
            state,
        )
    return out


def edit_flag(
    source: str, agency: str, year: int, report: str, title: str | None, edits: list[Edit]
) -> Desired:
    """One ``edited`` flag per report, covering every text change seen in its page and files."""
    last = edits[-1]
    first_seen = min(e.before.first_seen_at for e in edits)
    name = title or report
    summary = (
        f"{agency}: {year} report edited after publication ({len(edits)} change(s); "
        f"first captured {first_seen[:10]}, changed text seen {last.after.first_seen_at[:10]})"
    )
    summary_zh = (
        f"{agency}{year}年度报告发布后被修改（{len(edits)}处变更；{last.after.first_seen_at[:10]}发现）"
    )
    evidence = []
    for e in edits:
        evidence.append(
            {
                "fetch": e.before.last_fetch_id,
                "url": e.document_url,
                "fetched_at": e.before.last_seen_at,
                "role": "edit_before",
                "shows": f"the text before the edit (seen {e.before.first_seen_at} – {e.before.last_seen_at})",
                "shows_zh": f"修改前的文本（{e.before.first_seen_at}至{e.before.last_seen_at}）",
            }
        )
        evidence.append(
            {
                "fetch": e.after.first_fetch_id,
                "url": e.document_url,
                "fetched_at": e.after.first_seen_at,
                "role": "edit_after",
                "shows": f"the changed text (first seen {e.after.first_seen_at})",
                "shows_zh": f"修改后的文本（{e.after.first_seen_at}首次发现）",
            }
        )
    detail = {
        "title": name,
        "changes": [
            {
                "url": e.document_url,
                "before_seen": [e.before.first_seen_at, e.before.last_seen_at],
                "after_seen": e.after.first_seen_at,
                "added": e.added,
                "removed": e.removed,
                "diff": e.diff,
            }
            for e in edits
        ],
    }
    state = {"changes": [[e.document_url, e.after.seq] for e in edits]}
    return Desired(
        edited_key(source, report),
        "edited",
        source,
        agency,
        year,
        report,
        summary,
        summary_zh,
        edits[0].document_url,
        evidence,
        detail,
        state,
    )


def inconsistent_flag(row: dict, agency: str) -> Desired:
    """An ``inconsistent`` flag for one failed consistency rule of a report (``checks`` row)."""
    rule, severity = row["rule"], row["severity"]
    title = f" “{row['title']}”" if row.get("title") else ""
    summary = f"{agency}: {row['report_year']} report{title} fails {rule} ({severity}): {row['message']}"
    summary_zh = f"{agency}{row['report_year']}年度报告{title}未通过{rule}校验（{'错误' if severity == 'error' else '提示'}）"
    evidence = [
        {
            "fetch": row.get("first_fetch_id"),
            "url": row.get("url"),
            "fetched_at": row.get("first_seen_at"),
            "role": "first_capture",
            "shows": f"the report whose numbers fail {rule}",
            "shows_zh": f"数据未通过{rule}校验的报告",
        }
    ]
    detail = {"rule": rule, "severity": severity, "message": row["message"], "operands": row["operands"]}
    return Desired(
        f"inconsistent:{row['source_id']}:{row['report_id']}:{rule}",
        "inconsistent",
        row["source_id"],
        agency,
        row["report_year"],
        row["report_id"],
        summary,
        summary_zh,
        row.get("url"),
        evidence,
        detail,
        {"rule": rule, "operands": row["operands"]},
    )


COPY_PASSAGES = 5  # reused passages kept in a copied flag's detail (the longest)


def shared_chars(row: dict) -> int:
    """Characters of own wording (the format's fixed text left out) in an originality row's
    reused passages."""
    return sum(int(p.get("content") or 0) for p in row.get("passages") or [])


def copied_flag(row: dict, agency: str) -> Desired:
    """A ``copied`` flag from an originality row (``storage.originality.copies``): the report
    reuses another body's earlier report (``other_body``) or its own previous year's
    (``previous_year``) above the threshold; evidence: the first capture of both reports."""
    kind, reuse = row["kind"], row["reuse"]
    title = f" “{row['title']}”" if row.get("title") else ""
    other = f"{row['compared_agency']} {row['compared_year']}"
    if kind == "other_body":
        summary = (
            f"{agency}: {row['report_year']} report{title} repeats {reuse:.0%} of {other}'s earlier report"
        )
        summary_zh = f"{agency}{row['report_year']}年度报告{title}有{reuse:.0%}的内容与{row['compared_agency']}{row['compared_year']}年度报告（更早发布）雷同"
    else:
        summary = f"{agency}: {row['report_year']} report{title} repeats {reuse:.0%} of its {row['compared_year']} report"
        summary_zh = f"{agency}{row['report_year']}年度报告{title}有{reuse:.0%}的内容与本机关{row['compared_year']}年度报告重复"
    if row.get("leaked_names"):
        summary += f"; it still names {', '.join(row['leaked_names'])}"
        summary_zh += f"；文中仍出现“{'、'.join(row['leaked_names'])}”"
    evidence = [
        {
            "fetch": row.get("first_fetch_id"),
            "url": row.get("url"),
            "fetched_at": row.get("first_seen_at"),
            "role": "copy",
            "shows": f"the report that repeats the other's text (published {row.get('published_at') or 'date unknown'})",
            "shows_zh": f"内容重复的报告（发布日期{row.get('published_at') or '不详'}）",
        },
        {
            "fetch": row.get("compared_first_fetch_id"),
            "url": row.get("compared_url"),
            "fetched_at": row.get("compared_first_seen_at"),
            "role": "original",
            "shows": f"the earlier report it repeats: {other} (published {row.get('compared_published_at') or 'date unknown'})",
            "shows_zh": f"被重复的较早报告：{row['compared_agency']}{row['compared_year']}年度报告（发布日期{row.get('compared_published_at') or '不详'}）",
        },
    ]
    passages = sorted(row.get("passages") or [], key=lambda p: -p.get("content", 0))[:COPY_PASSAGES]
    detail = {
        "comparison": kind,
        "reuse": reuse,
        "sections": row.get("sections") or {},
        "compared_report": row["compared_report_id"],
        "compared_source": row.get("compared_source_id"),
        "compared_agency": row.get("compared_agency"),
        "compared_year": row.get("compared_year"),
        "compared_title": row.get("compared_title"),
        "compared_published_at": row.get("compared_published_at"),
        "compared_published_at_source": row.get("compared_published_at_source"),
        "published_at": row.get("published_at"),
        "published_at_source": row.get("published_at_source"),
        "leaked_names": row.get("leaked_names") or [],
        "shared_chars": shared_chars(row),
        "passages": passages,
    }
    return Desired(
        copied_key(row["source_id"], row["report_id"], kind),
        "copied",
        row["source_id"],
        agency,
        row["report_year"],
        row["report_id"],
        summary,
        summary_zh,
        row.get("url"),
        evidence,
        detail,
        # two decimals: a re-run that moves the reuse by a character does not re-notify
        {"comparison": kind, "compared": row["compared_report_id"], "reuse": round(reuse, 2)},
    )


def health_flag(source: str, agency: str, health: dict, pages: list[dict]) -> Desired:
    """A ``source_broken`` or ``source_blocked`` flag from a source's health (``Health.as_dict``)."""
    kind = "source_blocked" if health["health"] == "blocked" else "source_broken"
    summary = f"{agency} ({source}): source {health['health']}: {health['reason']}"
    summary_zh = (
        f"{agency}（{source}）：来源{'被屏蔽' if kind == 'source_blocked' else '失效'}（{health['reason']}）"
    )
    evidence = [
        {
            "fetch": p["fetch_id"],
            "url": p["url"],
            "fetched_at": p["fetched_at"],
            "role": "latest_capture",
            "shows": f"listing page in the latest run: {p['status']}, {p['items'] or 0} item(s)",
            "shows_zh": f"最近一次抓取的栏目页面：{p['status']}，{p['items'] or 0}条",
        }
        for p in pages
    ]
    return Desired(
        f"{kind}:{source}",
        kind,
        source,
        agency,
        None,
        None,
        summary,
        summary_zh,
        pages[0]["url"] if pages else None,
        evidence,
        health,
        {"health": health["health"]},
    )


@dataclass(slots=True)
class Change:
    """What to write for one flag: ``event`` None means a silent refresh of an open flag."""

    key: str
    event: str | None
    row: dict
    previous_kind: str | None = None
    flag_id: int | None = None


def reconcile(
    existing: dict[str, dict], desired: dict[str, Desired], now: str, scope: set[str] | None = None
) -> list[Change]:
    """Changes that bring stored flags (rows by key) in line with the desired ones.

    ``scope``: the source ids this check judged (flags of other sources, e.g. ones not
    checked this time, are left alone).
    """
    changes = []
    for key, want in desired.items():
        row = {
            "key": key,
            "kind": want.kind,
            "source_id": want.source,
            "agency": want.agency,
            "year": want.year,
            "report_id": want.report,
            "summary": want.summary,
            "summary_zh": want.summary_zh,
            "url": want.url,
            "evidence": want.evidence,
            "detail": want.detail,
            "fingerprint": want.fingerprint,
            "state": OPEN,
            "updated_at": now,
        }
        old = existing.get(key)
        if old is None:
            changes.append(Change(key, "opened", {**row, "opened_at": now, "closed_at": None}))
        elif old["state"] == CLOSED:
            changes.append(Change(key, "reopened", {**row, "closed_at": None}, old["kind"], old["id"]))
        elif old["fingerprint"] != want.fingerprint:
            changes.append(Change(key, "updated", row, old["kind"], old["id"]))
        else:
            changes.append(
                Change(
                    key,
                    None,
                    {k: row[k] for k in ("summary", "summary_zh", "evidence", "detail", "url")},
                    None,
                    old["id"],
                )
            )
    for key, old in existing.items():
        if old["state"] == OPEN and key not in desired and (scope is None or key_source(key) in scope):
            changes.append(
                Change(
                    key,
                    "closed",
                    {"state": CLOSED, "closed_at": now, "updated_at": now},
                    old["kind"],
                    old["id"],
                )
            )
    return changes
