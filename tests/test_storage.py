"""Storage: migrations, WARC round trips, documents/versions, verification."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.vocab.errors import ArchiveError
from storage import documents, fetches
from storage.db import open_db
from storage.migrations import migrations
from storage.verify import verify_archive
from storage.warc import Exchange, WarcArchive, read_record, sha256_hex

T = datetime(2025, 2, 5, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def exchange(url="http://127.0.0.1/a/index.html", body=b"<html>hi</html>", status=200) -> Exchange:
    return Exchange(
        url=url,
        method="GET",
        request_headers=[("Host", "127.0.0.1"), ("User-Agent", "t")],
        request_body=b"",
        status=status,
        reason="OK",
        response_headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
        body=body,
        moment=T,
    )


def test_migrations_are_idempotent(tmp_path):
    db = open_db(tmp_path)
    db.close()
    db = open_db(tmp_path)  # second open applies nothing and keeps data
    applied = [m.name for m in migrations.applied(db)]
    assert applied[0] == "0001_initial" and len(applied) == len(set(applied))
    assert not migrations.pending(db)
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert {"fetches", "documents", "versions", "reports", "runs"} <= set(db.table_names())


def test_open_db_read_only_commands_do_not_create(tmp_path):
    with pytest.raises(FileNotFoundError, match="no archive"):
        open_db(tmp_path / "nothing", create=False)
    assert not (tmp_path / "nothing").exists()


def test_warc_round_trip_keeps_raw_bytes(tmp_path):
    gbk = "政府信息公开工作年度报告 镕".encode("gb18030")
    archive = WarcArchive(tmp_path, "t")
    ref, digest = archive.write_exchange(exchange(body=gbk))
    archive.close()
    assert digest == sha256_hex(gbk)
    rec = read_record(tmp_path, ref)
    assert rec.rec_type == "response" and rec.status == 200 and rec.payload == gbk
    assert rec.warc_headers["WARC-Date"] == "2025-02-05T04:00:00Z"
    assert ("Transfer-Encoding", "chunked") not in rec.http_headers


def test_revisit_and_failure_records(tmp_path):
    archive = WarcArchive(tmp_path, "t")
    archive.write_exchange(exchange())
    ref, _ = archive.write_exchange(
        exchange(), revisit_of=("http://127.0.0.1/a/index.html", "2025-02-05T04:00:00Z")
    )
    fail = archive.write_failure(exchange(body=b"", status=0), "TimeoutError: took too long")
    archive.close()
    assert read_record(tmp_path, ref).rec_type == "revisit"
    meta = read_record(tmp_path, fail)
    assert meta.rec_type == "metadata" and b"TimeoutError" in meta.payload


def test_rotation_by_size(tmp_path):
    archive = WarcArchive(tmp_path, "t", max_bytes=1)
    a, _ = archive.write_exchange(exchange(body=b"one"))
    b, _ = archive.write_exchange(exchange(body=b"two"))
    archive.close()
    assert a.file != b.file and len(list(tmp_path.glob("*.warc.gz"))) == 2


def test_read_record_refuses_paths(tmp_path):
    from storage.warc import RecordRef

    with pytest.raises(ArchiveError):
        read_record(tmp_path, RecordRef("../etc/passwd", 0, 10))


def sighting(sha, fetch_id, at="2025-02-05T12:00:00+08:00"):
    return documents.Sighting(
        url="http://x/r.html", kind="detail", source_id="s", fetch_id=fetch_id, seen_at=at, sha256=sha
    )


def test_versions_are_append_only(fresh_db):
    r1 = documents.record_sighting(fresh_db, sighting("a", 1))
    r2 = documents.record_sighting(fresh_db, sighting("a", 2, "2025-02-06T12:00:00+08:00"))
    r3 = documents.record_sighting(fresh_db, sighting(None, 3, "2025-02-07T12:00:00+08:00"))  # 304
    r4 = documents.record_sighting(fresh_db, sighting("b", 4, "2025-03-01T12:00:00+08:00"))
    r5 = documents.record_sighting(fresh_db, sighting("a", 5, "2025-03-02T12:00:00+08:00"))  # reverted
    assert (r1.new_document, r1.new_version) == (True, True)
    assert not r2.new_version and not r3.new_version
    assert r4.new_version and r5.new_version
    rows = list(fresh_db.query("select seq, sha256, first_seen_at, last_seen_at from versions order by seq"))
    assert [(r["seq"], r["sha256"]) for r in rows] == [(1, "a"), (2, "b"), (3, "a")]
    assert rows[0]["last_seen_at"] == "2025-02-07T12:00:00+08:00"


def test_verify_detects_tampering_and_torn_tail(tmp_path):
    db = open_db(tmp_path)
    warc = tmp_path / "warc"
    archive = WarcArchive(warc, "t")
    ref, digest = archive.write_exchange(exchange(body=b"A" * 2000))
    fetches.insert_fetch(
        db,
        {
            "url": "http://127.0.0.1/a/index.html",
            "record_type": "response",
            "payload_sha256": digest,
            "status": 200,
        },
        ref,
    )
    archive.write_exchange(exchange(body=b"B" * 50))  # written, never indexed (killed before commit)
    archive.close()
    report = verify_archive(db, warc)
    assert report.ok and report.records == 1 and any("not in the index" in w for w in report.warnings)
    # a torn record appended by a killed writer is a warning, not an error
    path = warc / ref.file
    path.write_bytes(path.read_bytes() + b"\x1f\x8b\x08\x00garbage")
    assert verify_archive(db, warc).ok
    # flipping a byte inside the indexed record is an error
    data = bytearray(path.read_bytes())
    data[ref.offset + ref.length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert not verify_archive(db, warc).ok
