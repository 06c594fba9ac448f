"""Re-running extract: --all on a finished archive, retries of failures, reports whose parts
change to an already-extracted payload, and the run command after a crawl."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from tests.simcrawl import nianbao, query, sim_world

pytestmark = pytest.mark.slow

TODAY = date(2025, 4, 10)


def test_rerun_semantics(tmp_path):
    with sim_world(tmp_path, seed=3, agencies=4, today=TODAY, troubles=False) as world:
        data, sources = tmp_path / "data", str(world.sources)
        nianbao("run", "--data", str(data), "--sources", sources, "--profile", "sim", now=TODAY)
        assert query(data, "select count(*) n from report_texts")[0]["n"] > 10
        # --all on an archive where everything is extracted: nothing to redo, no crash
        out = nianbao("extract", "--all", "--data", str(data), "--sources", sources, now=TODAY)
        assert "0 files" in out.stderr, out.stderr
        # a failure (e.g. a timeout under load) is retried by --all
        con = sqlite3.connect(data / "archive.db")
        sha = con.execute("select sha256 from texts where file_type = 'pdf' limit 1").fetchone()[0]
        con.execute("update texts set status = 'timeout', text = '', original = '' where sha256 = ?", [sha])
        # a report whose page now has the payload of another, already-extracted page
        a, b = con.execute(
            "select r.id, d.id from reports r join documents d on d.id = r.document_id "
            "where r.own = 1 and d.content_type like 'text/html%' limit 2"
        ).fetchall()
        other_sha = con.execute("select payload_sha256 from documents where id = ?", [b[1]]).fetchone()[0]
        con.execute("update documents set payload_sha256 = ? where id = ?", [other_sha, a[1]])
        con.commit()
        con.close()
        out = nianbao("extract", "--all", "--data", str(data), "--sources", sources, now=TODAY)
        assert "1 files (ok 1)" in out.stderr, out.stderr
        assert query(data, "select status from texts where sha256 = ?", (sha,))[0]["status"] == "ok"
        rebuilt = query(data, "select text from report_texts where report_id = ?", (a[0],))[0]["text"]
        page_text = query(data, "select text from texts where sha256 = ?", (other_sha,))[0]["text"]
        assert rebuilt.startswith(page_text[:200])
