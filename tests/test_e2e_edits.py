"""A report edited in the world becomes a second version; unchanged documents answer 304."""

from __future__ import annotations

from datetime import date

import pytest

from tests.simcrawl import crawl, dumps, query, sim_world

pytestmark = pytest.mark.slow

T1, T2 = date(2025, 2, 5), date(2025, 6, 30)


def test_edit_between_crawls_is_a_new_version_with_both_dates(tmp_path):
    with sim_world(tmp_path, seed=10, agencies=30, today=T1) as world:  # 2 edits fall between T1 and T2
        data = tmp_path / "data"
        crawl(world, data, T1)
        world.server.set_today(T2)
        crawl(world, data, T2)
        before = {(t["source"], t["year"]): t for t in world.truth(T1)}
        edited_now = [
            t
            for t in world.truth(T2)
            if t["edited"]
            and t["url"]
            and t["reachable"]
            and before.get((t["source"], t["year"]), {}).get("status") in ("on_time", "late")
            and not before[(t["source"], t["year"])]["edited"]
        ]
        assert edited_now, "the world should edit some reports between the two dates"
        for t in edited_now:
            rows = query(
                data,
                "select v.seq, v.first_seen_at, v.last_seen_at from versions v "
                "join documents d on d.id = v.document_id where d.url = ? order by v.seq",
                (t["url"],),
            )
            assert len(rows) >= 2, dumps({"truth": t, "versions": rows})
            assert rows[0]["first_seen_at"].startswith(T1.isoformat())
            assert rows[-1]["first_seen_at"].startswith(T2.isoformat())
        # documents that did not change were re-checked with conditional requests, attachments
        # of unchanged pages included (a replaced PDF behind an unchanged page is still caught)
        checked = {
            r["kind"]: r["n"]
            for r in query(
                data, "select kind, count(*) n from fetches where run_id = 2 and status = 304 group by kind"
            )
        }
        assert checked.get("detail", 0) > 0 and checked.get("attachment", 0) > 0, checked
        # a later attachment re-check answered 304 keeps the file type learnt when it was read
        types = {r["file_type"] for r in query(data, "select distinct file_type from attachments")}
        assert types <= {"pdf", "docx", "doc", "page", "html", None} and "pdf" in types, types
        # a third run the next day: listings answer 304 and replay the LAST capture, not an older one
        crawl(world, data, date(2025, 7, 1))
        last = {
            r["url"]: r["report_urls"]
            for r in query(
                data, "select url, report_urls from listing_snapshots where run_id = 2 and status = 'ok'"
            )
        }
        third = query(
            data,
            "select s.url, s.report_urls, s.basis_fetch_id, f.status from listing_snapshots s "
            "join fetches f on f.id = s.fetch_id where s.run_id = 3 and s.status = 'ok'",
        )
        assert any(r["status"] == 304 for r in third)
        for row in third:
            if row["url"] in last:
                assert row["report_urls"] == last[row["url"]], row["url"]
        edited_urls = {t["url"] for t in edited_now}
        multi = query(
            data,
            "select d.url from documents d join versions v on v.document_id = d.id "
            "where d.kind = 'detail' group by d.id having count(*) > 1",
        )
        # no detail page gets a spurious second version
        truth_edited = {t["url"] for t in world.truth(T2) if t["edited"]}
        assert {r["url"] for r in multi} <= truth_edited | edited_urls, dumps(multi)
