"""A tamper-evident archive (issue 13): each crawl seals what it archived in a manifest chained to
the one before; ``nianbao verify`` checks the chain and names the first manifest (and run) whose
content no longer matches; an evidence bundle carries what a third party needs to check its
records against a published chain head."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zipfile
from datetime import date

import pytest

from storage.manifests import canonical
from tests.simcrawl import crawl, nianbao, query, sim_world

pytestmark = pytest.mark.slow

DAYS = (date(2025, 2, 10), date(2025, 4, 10))


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chain")
    data = tmp / "data"
    with sim_world(tmp, seed=7, agencies=10, today=DAYS[0], troubles=False) as world:
        for day in DAYS:
            world.server.set_today(day)
            crawl(world, data, day)
        nianbao("extract", "--data", str(data), now=DAYS[-1])
        nianbao("check", "--data", str(data), "--sources", str(world.sources), now=DAYS[-1])
        late = query(
            data, "select source_id, year from compliance where status in ('late', 'on_time') limit 1"
        )[0]
        bundle = tmp / "bundle.zip"
        nianbao(
            "evidence", late["source_id"], str(late["year"]), "--data", str(data),
            "--sources", str(world.sources), "--out", str(bundle), now=DAYS[-1],
        )  # fmt: skip
    return tmp, data, bundle


def tampered(archive, name):
    tmp, data, _ = archive
    copy = tmp / name
    shutil.copytree(data, copy)
    return copy


def verify(data):
    return nianbao("verify", "--data", str(data), check=False)


def test_each_crawl_seals_a_manifest_and_verify_reports_the_head(archive):
    _, data, _ = archive
    rows = query(
        data,
        "select seq, run_id, prev_sha256, sha256, first_fetch_id, last_fetch_id from manifests order by seq",
    )
    assert [r["seq"] for r in rows] == [1, 2] and rows[1]["prev_sha256"] == rows[0]["sha256"]
    assert rows[1]["first_fetch_id"] == rows[0]["last_fetch_id"] + 1
    indexed = query(data, "select max(id) m from fetches where warc_file is not null")[0]["m"]
    assert rows[-1]["last_fetch_id"] == indexed
    out = verify(data)
    assert out.returncode == 0 and f"chain of 2 manifests, head {rows[-1]['sha256']}" in out.stdout, (
        out.stderr
    )


def test_a_changed_warc_record_names_its_run(archive):
    data = tampered(archive, "warc-edit")
    row = query(
        data,
        "select warc_file, warc_offset, warc_length from fetches where run_id = 1 and warc_file is not null order by id limit 1 offset 5",
    )[0]
    path = data / "warc" / row["warc_file"]
    raw = bytearray(path.read_bytes())
    raw[row["warc_offset"] + row["warc_length"] // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    out = verify(data)
    assert out.returncode == 1
    assert "the first manifest whose content no longer matches is 1, of run 1" in out.stderr


def test_a_changed_index_row_names_its_run(archive):
    data = tampered(archive, "row-edit")
    last = query(data, "select max(id) m from fetches where warc_file is not null")[0]["m"]
    with sqlite3.connect(data / "archive.db") as conn:
        conn.execute("update fetches set url = 'http://example.invalid/' where id = ?", (last,))
    out = verify(data)
    assert (
        out.returncode == 1 and "is 2, of run 2" in out.stderr and f"fetch #{last} was changed" in out.stderr
    )


def test_a_rewritten_manifest_breaks_the_chain(archive):
    data = tampered(archive, "manifest-edit")
    path = data / "manifests" / "000001.json"
    body = json.loads(path.read_bytes())
    body["records"] = body["records"][1:]  # drop a record, keep valid JSON
    path.write_bytes(canonical(body))
    out = verify(data)
    assert (
        out.returncode == 1
        and "is 1, of run 1" in out.stderr
        and "record list no longer matches" in out.stderr
    )
    (data / "manifests" / "000002.json").unlink()
    assert "manifest 2 (run 2): its file" in verify(data).stderr


def test_an_evidence_bundle_checks_against_the_chain_head(archive):
    _, data, bundle = archive
    head = query(data, "select sha256 from manifests order by seq desc limit 1")[0]["sha256"]
    with zipfile.ZipFile(bundle) as zf:
        names = {n.split("/", 1)[1]: n for n in zf.namelist()}
        chain = json.loads(zf.read(names["chain.json"]))
        members = zf.read(names["records.warc.gz"])
        manifests = {
            int(n.rsplit("/", 1)[1][:6]): json.loads(zf.read(full))
            for n, full in names.items()
            if n.startswith("manifests/")
        }
    assert chain["head_sha256"] == head and chain["records"] and manifests
    for rec in chain["records"]:
        member = members[rec["member_offset"] : rec["member_offset"] + rec["member_length"]]
        body = manifests[rec["manifest_seq"]]
        entry = next(e for e in body["records"] if e[0] == rec["fetch_id"])
        assert hashlib.sha256(member).hexdigest() == entry[-1]
        assert hashlib.sha256(canonical(body["records"])).hexdigest() == body["header"]["records_sha256"]
        assert hashlib.sha256(canonical(body["header"])).hexdigest() == rec["manifest_sha256"]
    headers = chain["headers"]
    for before, after in zip(headers, headers[1:], strict=False):
        assert after["prev_sha256"] == hashlib.sha256(canonical(before)).hexdigest()
    assert hashlib.sha256(canonical(headers[-1])).hexdigest() == head
