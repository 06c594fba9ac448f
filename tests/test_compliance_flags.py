"""Flag lifecycle: opened, updated (missing → late), closed, reopened; one event per change."""

from __future__ import annotations

from crawler.compliance.flags import compliance_flags, reconcile


def verdict(status: str, year: int = 2024, source: str = "a", published: str | None = None) -> dict:
    return {
        "source": source,
        "agency": "某局",
        "year": year,
        "status": status,
        "deadline": "2025-01-31",
        "deadline_basis": "711号 Art.49¶1",
        "published_at": published,
        "published_at_source": "meta",
        "confidence": "high",
        "reason": "r",
        "reason_zh": "理由",
        "report": None,
        "report_url": None,
        "evidence": [{"fetch": 1}],
    }


def apply(store: dict, changes, n: list) -> list[str]:
    events = []
    for ch in changes:
        if ch.flag_id is None:
            n[0] += 1
            store[ch.key] = {"id": n[0], **ch.row}
        else:
            store[ch.key].update(ch.row)
        if ch.event:
            events.append(f"{ch.event}:{store[ch.key]['kind']}")
    return events


def test_lifecycle():
    store: dict = {}
    n = [0]
    run = lambda verdicts, now, scope=None: apply(  # noqa: E731
        store, reconcile(store, compliance_flags(verdicts), now, scope), n
    )
    assert run([verdict("missing"), verdict("on_time", 2023)], "t1") == ["opened:missing"]
    # the same claim again: no event (evidence refreshed silently)
    assert run([verdict("missing")], "t2") == []
    # the missing report appears, late: the flag is updated, not re-opened
    assert run([verdict("late", published="2025-02-10")], "t3") == ["updated:late"]
    assert (
        store["compliance:a:2024"]["opened_at"] == "t1" and store["compliance:a:2024"]["updated_at"] == "t3"
    )
    # a later check finds an earlier copy: on time, so the flag closes
    assert run([verdict("on_time")], "t4") == ["closed:late"]
    assert store["compliance:a:2024"]["state"] == "closed"
    assert run([verdict("on_time")], "t5") == []
    assert run([verdict("late", published="2025-02-11")], "t6") == ["reopened:late"]


def test_flags_outside_the_checked_sources_are_left_alone():
    store: dict = {}
    n = [0]
    apply(
        store,
        reconcile(
            store, compliance_flags([verdict("missing", source="a"), verdict("missing", source="b")]), "t1"
        ),
        n,
    )
    changes = reconcile(store, compliance_flags([]), "t2", scope={"a"})
    assert [(c.key, c.event) for c in changes] == [("compliance:a:2024", "closed")]
