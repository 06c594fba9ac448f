"""storage.search: routing of short/long terms, boolean queries, filters, re-indexing, snippets."""

from __future__ import annotations

import pytest

from storage.search import chars_form, count, index_reports, parse_query, search

DOCS = [
    (
        "r1",
        "甲市2020年政府信息公开工作年度报告",
        "甲市人民政府",
        2020,
        "city",
        "浙江",
        "本年度共收到行政复议申请3件，行政诉讼2件，复议机关依法作出复议决定。",
    ),
    (
        "r2",
        "乙县2021年政府信息公开工作年度报告",
        "乙县财政局",
        2021,
        "county",
        "江苏",
        "复议维持1件。信访工作有序开展，行政处罚信息按时公开。",
    ),
    (
        "r3",
        "丙区2021年政府信息公开工作年度报告",
        "丙区审计局",
        2021,
        "district",
        "江苏",
        "复，议题无关。审计结果公开。营商环境持续优化。",
    ),
    (
        "r4",
        "丁镇2019年政府信息公开工作年度报告",
        "丁镇人民政府",
        2019,
        "town",
        "浙江",
        "政府信息公开申请答复期限超过法定期限的情况为0件。行政诉讼败诉0件。",
    ),
]


def _insert(db, docs=DOCS, updated="2024-01-01"):
    db["report_texts"].upsert_all(
        [
            dict(
                report_id=d[0],
                title=d[1],
                agency=d[2],
                report_year=d[3],
                level=d[4],
                region=d[5],
                source_id="s-" + d[0],
                text=d[6],
                original=d[6],
                updated_at=updated,
            )
            for d in docs
        ],
        pk="report_id",
    )


@pytest.fixture
def db(fresh_db):
    _insert(fresh_db)
    assert index_reports(fresh_db) == len(DOCS)
    return fresh_db


def ids(hits):
    return sorted(h.report_id for h in hits)


@pytest.mark.parametrize("ranked", [True, False])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("复议", ["r1", "r2"]),  # 2 chars: inside 行政复议 too; not across "复，议"
        ("诉讼", ["r1", "r4"]),
        ("审", ["r3"]),  # 1 char
        ("败", ["r4"]),
        ("行政复议", ["r1"]),  # 4 chars → trigram
        ("行政处罚", ["r2"]),
        ('"答复期限超过法定期限"', ["r4"]),  # phrase
        ('"行政 复议"', ["r1"]),  # spaces inside a CJK phrase ignored
        ("复议 维持", ["r2"]),  # AND of two short terms
        ("行政诉讼 败诉", ["r4"]),  # a 2-char term in an AND is not ignored
        ("行政诉讼 复议", ["r1"]),
        ("复议 OR 审计", ["r1", "r2", "r3"]),
        ("复议 | 败诉", ["r1", "r2", "r4"]),
        ("复议 -维持", ["r1"]),
        ("诉讼 NOT 败诉", ["r1"]),
        ("年度报告 -行政", ["r3"]),
        ("復議", ["r1", "r2"]),  # traditional query
        ("行政復議", ["r1"]),
        ("ｘｙｚ", []),
        ("２０２１", ["r2", "r3"]),  # full-width digits; title/text both searched (trigram)
        ("甲市", ["r1"]),  # title only
    ],
)
def test_recall_and_boolean(db, query, expected, ranked):
    assert ids(search(db, query, ranked=ranked)) == expected
    assert count(db, query) == len(expected)


def test_chars_form():
    assert chars_form("复议2件，").split() == ["复", "议", "2", "件", "，"]
    assert chars_form("行政复议").split() == ["行", "政", "复", "议"]
    assert chars_form("2021年ABC").split() == ["2021", "年", "ABC"]


def test_parse_query():
    p = parse_query('復議 "行政 诉讼" OR 败诉 -维持')
    assert [[t.text for t in g] for g in p.groups] == [["复议"], ["行政诉讼", "败诉"]]
    assert [t.text for t in p.negated] == ["维持"]
    assert p.groups[0][0].short and p.groups[0][0].match == '"复 议"'
    assert not p.groups[1][0].short and p.groups[1][0].match == '"行政诉讼"'


def test_filters(db):
    assert ids(search(db, "复议", year=2021)) == ["r2"]
    assert ids(search(db, "复议", agency="人民政府")) == ["r1"]
    assert ids(search(db, "公开", level="county")) == ["r2"]
    assert ids(search(db, "公开", region="浙江")) == ["r1", "r4"]
    assert ids(search(db, "年度报告", region="江苏", year=2021)) == ["r2", "r3"]
    assert ids(search(db, "复议 OR 审计", region="江苏", ranked=False)) == ["r2", "r3"]
    assert search(db, "复议", year=1999) == []


def test_snippets_and_fields(db):
    (hit,) = search(db, "败诉")
    assert "【败诉】" in hit.snippet
    assert hit.title.startswith("丁镇") and hit.agency == "丁镇人民政府"
    assert hit.report_year == 2019 and hit.source_id == "s-r4"
    (hit,) = search(db, "行政复议 维持 OR 决定")
    assert "【行政复议】" in hit.snippet
    (hit,) = search(db, "丁镇")  # only in the title: the snippet is the start of the text
    assert hit.snippet.startswith("政府信息公开申请")


def test_ranking_prefers_more_occurrences(fresh_db):
    _insert(
        fresh_db,
        [
            ("a", "报告", "甲", 2020, "city", "x", "行政复议。" + "其他内容。" * 50),
            ("b", "报告", "乙", 2020, "city", "x", "行政复议行政复议行政复议。"),
        ],
    )
    index_reports(fresh_db)
    hits = search(fresh_db, "行政复议")
    assert [h.report_id for h in hits] == ["b", "a"] and hits[0].score > hits[1].score
    assert [h.report_id for h in search(fresh_db, "复议")] == ["b", "a"]


def test_reindex_is_idempotent_and_follows_changes(db):
    assert index_reports(db) == 0  # nothing changed
    assert index_reports(db, ["r1", "r2"]) == 2  # forced
    assert db["search_docs"].count == 4 and db["search_chars"].count == 4
    # a changed text: the old words disappear from both indexes, the new ones appear
    db["report_texts"].update("r2", {"text": "本年度无行政复议案件。", "updated_at": "2024-02-01"})
    assert index_reports(db) == 1
    assert ids(search(db, "维持")) == []
    assert ids(search(db, "复议")) == ["r1", "r2"]
    assert ids(search(db, "无行政复议")) == ["r2"]
    # a deleted report leaves the index
    db["report_texts"].delete("r3")
    index_reports(db)
    assert ids(search(db, "审计")) == []
    assert db["search_docs"].count == 3
    assert (
        db.execute(
            "SELECT count(*) FROM search_docs_fts WHERE search_docs_fts MATCH '\"年度报告\"'"
        ).fetchone()[0]
        == 3
    )
    # an explicit id whose row is gone is removed too
    db["report_texts"].delete("r4")
    assert index_reports(db, ["r4"]) == 0
    assert ids(search(db, "败诉")) == []
    db.execute("INSERT INTO search_docs_fts(search_docs_fts) VALUES ('integrity-check')")
    db.execute("INSERT INTO search_chars_fts(search_chars_fts) VALUES ('integrity-check')")


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        '"复议',
        '复议"',
        "(",
        ")",
        "()",
        "(复议",
        "复议)",
        "*",
        "复*",
        "**议",
        "NEAR",
        "NEAR(复议 诉讼)",
        "复议 NEAR 诉讼",
        "AND",
        "OR",
        "NOT",
        "OR 复议",
        "复议 OR",
        "复议 NOT",
        "-",
        "--",
        "-复议",
        "title:复议",
        "text:行政复议",
        "^复议",
        "{复议}",
        "复议 AND 诉讼",
        "",
        "   ",
        "\x00",
        "复议" * 2000,
        "行 " * 500,
        "'; DROP TABLE report_texts; --",
        "%",
        "_",
        "\\",
    ],
)
def test_hostile_queries_never_raise(db, query):
    hits = search(db, query)
    assert isinstance(hits, list)
    assert isinstance(count(db, query), int)
    assert db["report_texts"].count == 4


def test_hostile_query_results(db):
    assert ids(search(db, "(复议)")) == ["r1", "r2"]
    assert search(db, "-复议") == []
    assert parse_query("-复议").warnings
    assert parse_query("*").warnings
    assert ids(search(db, "复议 AND 诉讼")) == ["r1"]
    assert search(db, "复议", limit=0) == []


def test_paging(db):
    all_ids = [h.report_id for h in search(db, "公开", limit=10)]
    assert len(all_ids) == 4
    assert [h.report_id for h in search(db, "公开", limit=2)] + [
        h.report_id for h in search(db, "公开", limit=2, offset=2)
    ] == all_ids


def test_common_terms_are_ranked_within_a_pool_and_exact_ranks_all(tmp_path):
    from sqlite_utils import Database

    from storage.migrations import migrations
    from storage.search import index_reports, search

    db = Database(tmp_path / "pool.db")
    migrations.apply(db)
    # report 0 mentions 复议 most, but it is the oldest indexed; later ones mention it once
    texts = ["行政复议" * 30] + ["本年度行政复议1件。" + "其他内容" * 40 for _ in range(9)]
    db["report_texts"].insert_all(
        {"report_id": f"r{i}", "title": f"报告{i}", "text": t, "report_year": 2024}
        for i, t in enumerate(texts)
    )
    index_reports(db)
    assert search(db, "复议", rank_pool=None)[0].report_id == "r0"  # exact: the densest first
    pooled = search(db, "复议", rank_pool=3, limit=3)
    assert len(pooled) == 3 and "r0" not in {h.report_id for h in pooled}  # only the 3 newest ranked
    assert search(db, "复议", rank_pool=3, year=2024, limit=20)[0].report_id == "r0"  # filters: exact
