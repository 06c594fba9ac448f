"""One URL identity in the archive (issue 13): canonical URLs, and the migration that folds the
rows an older crawl kept twice (a link as written on the page and as fetched)."""

from __future__ import annotations

import json

import pytest

from crawler.vocab.urls import canonical_url, clean_href, report_id
from storage.db import memory_db
from storage.migrations import canonical_urls

RAW = "http://WWW.X.gov.cn/zfxxgknb/2024年 政府信息公开年报.pdf"
CANON = "http://www.x.gov.cn/zfxxgknb/2024%E5%B9%B4%20%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80%E5%B9%B4%E6%8A%A5.pdf"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (RAW, CANON),
        (RAW + "#page=2", CANON),  # the fragment never reaches the server
        (" \t" + RAW.replace("年 ", "年\n ") + "\n", CANON),  # tabs and line breaks removed, edges stripped
        (CANON, CANON),  # already canonical: unchanged (idempotent)
        ("http://h/%e6%8a%a5.pdf", "http://h/%e6%8a%a5.pdf"),  # escapes kept as sent
        (
            "http://h/100%完成.pdf",
            "http://h/100%%E5%AE%8C%E6%88%90.pdf",
        ),  # a stray % stays, as browsers send it
        ("http://h/view?file=/a/报告 1.pdf", "http://h/view?file=/a/%E6%8A%A5%E5%91%8A%201.pdf"),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical
    assert canonical_url(canonical_url(url)) == canonical_url(url)


def test_an_interior_space_is_part_of_the_name():
    assert clean_href(" ./2024年 报告.pdf\n") == "./2024年 报告.pdf"


def _old_archive():
    """An archive as an older crawl left it: the report and one attachment stored under the link
    as written (raw), the attachment also under the form Scrapy fetched, the text keyed by the
    raw report id."""
    db = memory_db()
    old_id = report_id("s1", RAW)
    doc = (
        db.table("documents")
        .insert({"url": CANON, "kind": "attachment", "first_seen_at": "2025-02-01T00:00:00"})
        .last_pk
    )
    db.table("fetches").insert({"url": CANON, "status": 200, "kind": "attachment"})
    db.table("reports").insert(
        {
            "id": old_id,
            "source_id": "s1",
            "url": RAW,
            "report_year": 2024,
            "listing_url": "http://WWW.X.gov.cn/zfxxgknb/",
        }
    )
    db.table("reports").insert(
        {
            "id": report_id("s1", "http://www.x.gov.cn/a.html"),
            "source_id": "s1",
            "url": "http://www.x.gov.cn/a.html",
        }
    )
    db.table("attachments").insert_all(
        [
            {"report_id": old_id, "url": RAW, "document_id": None},  # never fetched under this form
            {"report_id": old_id, "url": CANON, "document_id": doc},
        ]
    )
    db.table("report_texts").insert({"report_id": old_id, "title": "t", "text": "正文"})
    db.table("listing_snapshots").insert({"url": "http://x.gov.cn/l/", "report_urls": json.dumps([RAW])})
    return db, old_id, doc


def test_the_migration_folds_twins_and_rekeys_reports():
    db, old_id, doc = _old_archive()
    canonical_urls(db)
    new_id = report_id("s1", CANON)
    reports = {r["id"]: r for r in db.query("select * from reports")}
    assert set(reports) == {new_id, report_id("s1", "http://www.x.gov.cn/a.html")}
    assert (
        reports[new_id]["url"] == CANON and reports[new_id]["listing_url"] == "http://www.x.gov.cn/zfxxgknb/"
    )
    assert list(db.query("select report_id, url, document_id from attachments")) == [
        {"report_id": new_id, "url": CANON, "document_id": doc}
    ]
    assert [r["report_id"] for r in db.query("select report_id from report_texts")] == [new_id]
    snap = next(db.query("select report_urls from listing_snapshots"))
    assert json.loads(snap["report_urls"]) == [CANON]


def test_the_migration_is_idempotent_and_leaves_canonical_rows_alone():
    db, _, _ = _old_archive()
    canonical_urls(db)
    before = {
        t: list(db.query(f"select * from {t} order by 1"))
        for t in ("reports", "attachments", "documents", "report_texts")
    }
    canonical_urls(db)
    assert before == {t: list(db.query(f"select * from {t} order by 1")) for t in before}


def test_a_raw_report_twin_of_a_canonical_one_is_absorbed():
    db, old_id, _ = _old_archive()
    new_id = report_id("s1", CANON)
    db.table("reports").insert({"id": new_id, "source_id": "s1", "url": CANON, "report_year": 2024})
    db.table("report_texts").insert({"report_id": new_id, "title": "t2", "text": "新"})
    canonical_urls(db)
    assert [r["id"] for r in db.query("select id from reports where url = ?", [CANON])] == [new_id]
    assert [r["title"] for r in db.query("select title from report_texts")] == [
        "t2"
    ]  # the canonical row's own
