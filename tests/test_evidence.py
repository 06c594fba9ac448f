"""Evidence bundles: names that cannot escape, and real bundles built from a crawled simulator archive."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import sqlite3
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.compliance import deadlines as dl
from crawler.compliance.verdicts import Policy
from crawler.outputs.evidence import (
    MAX_NAME,
    UnsafeName,
    deadline_facts,
    document_name,
    evidence_fetch_ids,
    safe_filename,
    safe_member,
    write_bundle,
)
from crawler.outputs.snapshots import find_chromium
from crawler.registry.sources import load_sources
from crawler.stages.check import run_check
from crawler.vocab.clock import CHINA_TZ
from storage import fetches
from storage.compliance import query_flags
from storage.db import WARC_DIR, open_db
from storage.warc import Exchange, RecordRef, WarcArchive, read_record, warc_digest
from tests.simcrawl import crawl, nianbao, sim_world
from tests.tools import requires_chromium

SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9._\-\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")


# -- names -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "",
        "/etc/passwd",
        "../x",
        "evidence-a-2024/../../x",
        "a/./b",
        "a//b",
        "a/",
        "a/..",
        "..",
        "a\\b",
        "..\\..\\x",
        "a\x00b",
        "a\nb",
        "C:/Windows/x",
        "c:x",
        "\u2028x",
    ],
)
def test_safe_member_rejects_names_that_could_escape(name):
    with pytest.raises(UnsafeName):
        safe_member(name)


@pytest.mark.parametrize(
    "name",
    ["evidence-sim-00001-2024/verdict.json", "evidence-sim-00001-2024/files/12-2024年报告.pdf", "a..b/c"],
)
def test_safe_member_accepts_plain_relative_names(name):
    assert safe_member(name) == name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("2024年度报告.pdf", "2024年度报告.pdf"),
        ("../../etc/passwd", "_._etc_passwd"),
        ("..%2F..%2Fevil.pdf", "_2F._2Fevil.pdf"),
        ("<script>alert(1)</script>", "_script_alert_1_script_"),
        ("..\\..\\win.ini", "_._win.ini"),
        (".hidden", "hidden"),
        ("a\x00b\nc", "a_b_c"),
        ("", "payload"),
        (None, "payload"),
        ("...", "payload"),
        ("/", "payload"),
        ("《报告》（全文）.doc", "_报告_全文_.doc"),
    ],
)
def test_safe_filename(text, expected):
    assert safe_filename(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "../../etc/passwd",
        "..%2F..%2Fevil.pdf",
        "<script>alert(1)</script>",
        "a" * 500 + ".pdf",
        "报" * 300,
        "." * 90 + "x",
        "x" + "." * 200,
        "C:\\boot.ini",
        "\x00",
        "..",
        "a/../../b",
    ],
)
def test_safe_filename_is_one_short_safe_segment(text):
    name = safe_filename(text)
    assert SAFE_SEGMENT.match(name), name
    assert not name.startswith(".") and ".." not in name and "/" not in name and "\\" not in name
    assert len(name) <= MAX_NAME
    safe_member(f"top/files/1-{name}")


def test_safe_filename_keeps_the_extension_when_capping():
    name = safe_filename("年" * 200 + ".pdf")
    assert len(name) == MAX_NAME and name.endswith(".pdf")


@pytest.mark.parametrize(
    ("url", "disposition", "expected"),
    [
        ("http://x.gov.cn/nb/..%2F..%2Fevil.pdf", None, "evil.pdf"),
        ("http://x.gov.cn/dl?id=3", 'attachment; filename="../../etc/passwd"', "passwd"),
        ("http://x.gov.cn/dl?id=3", "attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf", "年报.pdf"),
        ("http://x.gov.cn/nb/", None, "payload"),
        ("http://x.gov.cn/nb/..", None, "payload"),
        ("http://x.gov.cn/a/t20250508_1.html", "inline", "t20250508_1.html"),
        (None, None, "payload"),
    ],
)
def test_document_name(url, disposition, expected):
    assert document_name(url, disposition) == expected


@pytest.mark.parametrize(
    ("basis", "due", "needle_zh", "needle_en"),
    [
        (dl.BASIS_711_DEPT, "2025-01-31", "县级以上人民政府部门应当在每年1月31日前", "Art. 49 ¶1"),
        (
            dl.BASIS_711_REGION,
            "2025-03-31",
            "每年3月31日前向社会公布本级政府上一年度政府信息公开工作年度报告",
            "Art. 49 ¶2",
        ),
        (
            dl.BASIS_492,
            "2018-03-31",
            "各级行政机关应当在每年3月31日前公布本行政机关的政府信息公开工作年度报告",
            "Art. 31",
        ),
        (dl.BASIS_OVERRIDE, "2025-02-28", "02-28", "local rule"),
        (dl.BASIS_LOCAL_DEFAULT, "2025-01-31", "未列入711号第四十九条", "not named in 711号 Art.49"),
        ("something new", "2025-01-31", "无此依据", "no statement"),
    ],
)
def test_deadline_facts_state_the_rule(basis, due, needle_zh, needle_en):
    facts = deadline_facts(
        {"year": 2024, "kind": "dept", "deadline": due, "deadline_basis": basis, "grace_days": 3}
    )
    assert facts["basis"] == basis and facts["deadline"] == due and facts["grace_days"] == 3
    assert facts["grace_until"] == date.fromordinal(date.fromisoformat(due).toordinal() + 3).isoformat()
    assert needle_zh in facts["rule"]["text_zh"]
    assert needle_en in facts["rule"]["en"] + facts["rule"]["citation"]


# -- bundles from a real crawl ---------------------------------------------------------------------

T1, T2 = date(2025, 2, 5), date(2025, 6, 30)
SEED = 52  # 6 agencies: 2024 reports late, missing, on time, and one edited between the crawls


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Two crawls of a 6-agency world (before and after the 2024 deadlines), each extracted, then a check."""
    tmp = tmp_path_factory.mktemp("evidence")
    data = tmp / "data"
    with sim_world(tmp, seed=SEED, agencies=6, today=T1) as world:
        for day in (T1, T2):
            world.server.set_today(day)
            crawl(world, data, day)
            nianbao("extract", "--data", str(data), now=day)
    db = open_db(data)
    result = run_check(db, load_sources(world.sources), as_of=T2, policy=Policy(), write=True)
    yield {"db": db, "data": data, "verdicts": result.verdicts}
    db.close()


def _flags(db, v):
    return query_flags(db, source=v["source"], year=v["year"], state=None)


def _pick(verdicts, status, want=lambda v: True):
    found = [v for v in verdicts if v["status"] == status and want(v)]
    assert found, f"seed {SEED} should give a {status} verdict"
    return found[-1]


def _attachments(db, v) -> list[int]:
    """First-capture fetch ids of the attachments of the verdict's report."""
    return (
        [
            r["first_fetch_id"]
            for r in db.query(
                "select v.first_fetch_id from attachments a join versions v on v.document_id = a.document_id "
                "where a.report_id = ? and v.seq = 1",
                [v["report"]],
            )
        ]
        if v["report"]
        else []
    )


def _open(path: Path) -> tuple[str, dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        members = {n: zf.read(n) for n in names}
    folders = {n.split("/", 1)[0] for n in names}
    assert len(folders) == 1, names
    folder = folders.pop()
    for n in names:
        safe_member(n)
    return folder, {n.split("/", 1)[1]: data for n, data in members.items()}


def _check_manifest(members: dict[str, bytes]) -> None:
    lines = members["MANIFEST.txt"].decode().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == set(members) - {"MANIFEST.txt"}
    for name, digest in listed.items():
        assert hashlib.sha256(members[name]).hexdigest() == digest, name


def _warc_records(blob: bytes) -> list[dict]:
    """Every record of a .warc.gz, digests checked by warcio and again here."""
    out = []
    for rec in ArchiveIterator(io.BytesIO(blob), check_digests="raise"):
        payload = rec.raw_stream.read()
        headers = dict(rec.rec_headers.headers)
        if rec.rec_type == "response":
            assert warc_digest(hashlib.sha256(payload).hexdigest()) == headers["WARC-Payload-Digest"]
        out.append(
            {
                "type": rec.rec_type,
                "id": headers["WARC-Record-ID"],
                "uri": headers.get("WARC-Target-URI"),
                "to": headers.get("WARC-Concurrent-To"),
                "sha256": hashlib.sha256(payload).hexdigest(),
            }
        )
    return out


def _fetch_ids(v, flags) -> set[int]:
    items = [*v["evidence"], *(e for f in flags for e in f["evidence"])]
    return {e[k] for e in items for k in ("fetch", "basis_fetch") if e.get(k) is not None}


def _assert_records_cover(archive, records: list[dict], ids: set[int], blob: bytes) -> None:
    root = archive["data"] / WARC_DIR
    by_id = {r["id"]: r for r in records}
    requests = {r["to"] for r in records if r["type"] == "request"}
    for fid in ids:
        row = archive["db"]["fetches"].get(fid)
        stored = read_record(root, fetches.ref_of(row))
        record_id = stored.warc_headers["WARC-Record-ID"]
        assert record_id in by_id, fid
        assert record_id in requests, f"fetch {fid}: its request record is missing"
        if row["record_type"] == "response":
            assert by_id[record_id]["sha256"] == row["payload_sha256"]
        with open(root / row["warc_file"], "rb") as fh:  # copied byte for byte
            fh.seek(row["warc_offset"])
            assert fh.read(row["warc_length"]) in blob


def _timeline(text: str) -> list[str]:
    body = text.split("\nTimeline\n", 1)[1].split("\n\n", 1)[0]
    return body.splitlines()


@pytest.mark.slow
def test_missing_bundle_carries_verdict_rule_records_and_timeline(archive, tmp_path):
    v = _pick(
        archive["verdicts"],
        "missing",
        lambda v: v["year"] == 2024 and any(e.get("basis_fetch") for e in v["evidence"]),
    )
    flags = _flags(archive["db"], v)
    assert any(f["kind"] == "missing" for f in flags)
    out = tmp_path / "missing.zip"
    info = write_bundle(archive["db"], archive["data"], v, flags, out)
    folder, members = _open(out)
    assert folder == f"evidence-{v['source']}-{v['year']}"
    assert info.path == out and info.bytes == out.stat().st_size and info.members == len(members)
    assert {
        "verdict.json",
        "deadline.json",
        "flags.json",
        "records.warc.gz",
        "summary.en.txt",
        "summary.zh.txt",
        "MANIFEST.txt",
    } <= set(members)
    _check_manifest(members)
    assert json.loads(members["verdict.json"]) == v
    assert json.loads(members["flags.json"]) == json.loads(json.dumps(flags))
    deadline = json.loads(members["deadline.json"])
    assert (deadline["deadline"], deadline["basis"], deadline["grace_days"]) == (
        v["deadline"],
        v["deadline_basis"],
        v["grace_days"],
    )
    # the WARC parses, digests match, every named fetch (304s and the captures they confirm) is in it
    records = _warc_records(members["records.warc.gz"])
    assert len(records) == info.records
    ids = _fetch_ids(v, flags)
    assert any(e.get("basis_fetch") for e in v["evidence"])
    _assert_records_cover(archive, records, ids, members["records.warc.gz"])
    # the summaries: rule, then observations in date order, then the verdict
    en, zh = members["summary.en.txt"].decode(), members["summary.zh.txt"].decode()
    lines = _timeline(en)
    assert lines[0].startswith(v["deadline"]) and "deadline" in lines[0]
    stamps = [line[:16].strip() for line in lines]
    assert stamps == sorted(stamps)
    named = {e["fetch"] for e in [*v["evidence"], *(e for f in flags for e in f["evidence"])]}
    for fid in named:
        assert f"fetch #{fid} " in "\n".join(lines) and f"第{fid}号抓取 " in zh
    for fid in ids:  # the 304s' bases too
        assert f"\nfetch #{fid}: " in en and f"\n第{fid}号抓取：" in zh
    assert f"Verdict: missing - {v['reason']}" in en and v["reason_zh"] in zh and "未发布" in zh
    assert "unavailable" not in en and "不可用" not in zh
    assert "files/" not in "".join(members)  # no report document to save
    # reproducible byte for byte
    again = write_bundle(archive["db"], archive["data"], v, flags, tmp_path / "again.zip")
    assert again.path.read_bytes() == out.read_bytes()


@pytest.mark.slow
def test_late_bundle_saves_the_report_page_and_its_attachments(archive, tmp_path):
    v = _pick(archive["verdicts"], "late", lambda v: _attachments(archive["db"], v))
    flags = _flags(archive["db"], v)
    info = write_bundle(archive["db"], archive["data"], v, flags, tmp_path / "late.zip")
    _, members = _open(info.path)
    _check_manifest(members)
    files = {n[len("files/") :]: data for n, data in members.items() if n.startswith("files/")}
    first = next(e["fetch"] for e in v["evidence"] if e["role"] == "first_capture")
    page = [n for n in files if n.startswith(f"{first}-")]
    assert len(page) == 1, files.keys()
    row = archive["db"]["fetches"].get(first)
    assert hashlib.sha256(files[page[0]]).hexdigest() == row["payload_sha256"]
    assert any(data.startswith(b"%PDF") for data in files.values()), "the report's PDF attachment"
    for name in files:
        assert re.match(r"^\d+-", name) and SAFE_SEGMENT.match(name), name
    records = _warc_records(members["records.warc.gz"])
    ids = _fetch_ids(v, flags) | {int(n.split("-", 1)[0]) for n in files}
    _assert_records_cover(archive, records, ids, members["records.warc.gz"])
    en, zh = members["summary.en.txt"].decode(), members["summary.zh.txt"].decode()
    assert "LATE" in en and "逾期发布" in zh and v["reason_zh"] in zh
    assert f"published, as stated ({v['published_at_source']})" in en
    assert all(f"files/{n}" in en for n in files)


@pytest.mark.slow
def test_on_time_bundle(archive, tmp_path):
    v = _pick(
        archive["verdicts"],
        "on_time",
        lambda v: v["year"] == 2024 and len(_attachments(archive["db"], v)) > 1,
    )
    info = write_bundle(archive["db"], archive["data"], v, _flags(archive["db"], v), tmp_path / "ok.zip")
    _, members = _open(info.path)
    _check_manifest(members)
    assert json.loads(members["verdict.json"])["status"] == "on_time"
    assert "按时发布" in members["summary.zh.txt"].decode()
    saved = {int(n.split("/")[1].split("-", 1)[0]) for n in members if n.startswith("files/")}
    assert saved == {e["fetch"] for e in v["evidence"]} | set(_attachments(archive["db"], v))
    assert info.records == 2 * len(saved)  # each response with its request


@pytest.mark.slow
def test_edited_bundle_saves_the_text_before_and_after(archive, tmp_path):
    db = archive["db"]
    edited = [f for f in query_flags(db, kind="edited", state=None) if f["year"] == 2024]
    assert edited, f"seed {SEED} edits a 2024 report between the crawls"
    flag = edited[0]
    v = next(v for v in archive["verdicts"] if (v["source"], v["year"]) == (flag["source"], flag["year"]))
    info = write_bundle(db, archive["data"], v, _flags(db, v), tmp_path / "edited.zip")
    _, members = _open(info.path)
    _check_manifest(members)
    saved = {
        int(n.split("/")[1].split("-", 1)[0]): data for n, data in members.items() if n.startswith("files/")
    }
    pairs = [
        (b["fetch"], a["fetch"]) for b, a in zip(flag["evidence"][::2], flag["evidence"][1::2], strict=True)
    ]
    assert pairs and all(b in saved and a in saved for b, a in pairs), (pairs, sorted(saved))
    for before, after in pairs:
        assert saved[before] != saved[after]
    en = members["summary.en.txt"].decode()
    assert "[edit_before]" in en and "[edit_after]" in en and f"#{flag['id']} edited" in en
    _assert_records_cover(
        archive, _warc_records(members["records.warc.gz"]), _fetch_ids(v, [flag]), members["records.warc.gz"]
    )


@pytest.mark.slow
def test_revisits_and_304s_bring_the_capture_holding_the_bytes(archive, tmp_path):
    db = archive["db"]
    revisit = next(db.query("select * from fetches where record_type = 'revisit' and status = 200 limit 1"))
    original = fetches.first_response(db, revisit["payload_sha256"])
    not_modified = next(
        db.query(
            "select f.* from fetches f where f.status = 304 and exists (select 1 from fetches g where g.url = f.url "
            "and g.status = 200 and g.record_type = 'response' and g.id < f.id) order by f.id desc limit 1"
        )
    )
    confirmed = next(
        db.query(
            "select * from fetches where url = ? and status = 200 and id < ? order by id desc limit 1",
            [not_modified["url"], not_modified["id"]],
        )
    )
    base = _pick(archive["verdicts"], "on_time", lambda v: v["year"] == 2024)
    v = {
        **base,
        "report": None,
        "evidence": [
            {
                "fetch": revisit["id"],
                "url": revisit["url"],
                "fetched_at": revisit["fetched_at"],
                "role": "first_capture",
                "shows": "a revisit",
                "shows_zh": "重复内容",
            },
            {
                "fetch": not_modified["id"],
                "url": not_modified["url"],
                "fetched_at": not_modified["fetched_at"],
                "role": "edit_before",
                "shows": "a 304",
                "shows_zh": "304",
            },
        ],
    }
    info = write_bundle(db, archive["data"], v, [], tmp_path / "revisit.zip")
    _, members = _open(info.path)
    records = _warc_records(members["records.warc.gz"])
    assert {r["type"] for r in records} >= {"revisit", "response", "request"}
    _assert_records_cover(
        archive,
        records,
        {revisit["id"], original["id"], not_modified["id"], confirmed["id"]},
        members["records.warc.gz"],
    )
    files = {n.split("/")[1]: data for n, data in members.items() if n.startswith("files/")}
    by_id = {int(n.split("-", 1)[0]): data for n, data in files.items()}
    assert hashlib.sha256(by_id[revisit["id"]]).hexdigest() == original["payload_sha256"]
    assert hashlib.sha256(by_id[not_modified["id"]]).hexdigest() == confirmed["payload_sha256"]
    en = members["summary.en.txt"].decode()
    assert f"content of #{original['id']}" in en and f"the content of revisit #{revisit['id']}" in en


# -- hostile content -------------------------------------------------------------------------------


def _copy_archive(archive, dest: Path) -> Path:
    """A private copy of the crawled data directory (this test appends to it)."""
    shutil.copytree(archive["data"] / WARC_DIR, dest / WARC_DIR)
    target = sqlite3.connect(dest / "archive.db")
    archive["db"].conn.backup(target)
    target.close()
    return dest


def _add_fetch(db, row: dict, ref) -> int:
    fid = fetches.insert_fetch(db, row, ref)
    db.conn.commit()
    return fid


@pytest.mark.slow
def test_hostile_names_stay_inside_the_bundle_folder(archive, tmp_path):
    data = _copy_archive(archive, tmp_path / "data")
    db = open_db(data)
    try:
        base = _pick(archive["verdicts"], "late", lambda v: v["year"] == 2024)
        evil_url = base["report_url"].rsplit("/", 1)[0] + "/..%2F..%2Fevil.pdf"
        moment = datetime(2025, 6, 30, 12, 0, tzinfo=CHINA_TZ)
        body = b"%PDF-1.4 not really"
        ex = Exchange(
            evil_url,
            "GET",
            [("User-Agent", "nianbao")],
            b"",
            200,
            "OK",
            [
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", 'attachment; filename="../../etc/passwd"'),
            ],
            body,
            moment,
        )
        warc = WarcArchive(data / WARC_DIR, "hostile")
        ref, digest = warc.write_exchange(ex)
        warc.close()
        row = {
            "url": evil_url,
            "method": "GET",
            "kind": "attachment",
            "status": 200,
            "fetched_at": moment.isoformat(),
            "content_type": "application/pdf",
            "size": len(body),
            "payload_sha256": digest,
            "record_type": "response",
        }
        evil = _add_fetch(db, row, ref)
        gone = _add_fetch(db, {**row, "url": evil_url + "?gone"}, RecordRef("nope.warc.gz", 0, 10))
        escape = _add_fetch(db, {**row, "url": evil_url + "?escape"}, RecordRef("../../etc/passwd", 0, 10))
        torn = _add_fetch(db, {**row, "url": evil_url + "?torn"}, RecordRef(ref.file, ref.offset + 3, 40))
        failed = WarcArchive(data / WARC_DIR, "failed")
        failure = _add_fetch(
            db,
            {
                **row,
                "url": evil_url + "?timeout",
                "status": None,
                "record_type": "failure",
                "error": "timeout",
            },
            failed.write_failure(ex, "timeout"),
        )
        failed.close()
        title = "<script>alert(1)</script>"
        forged = "\n2025-01-01 00:00  fetch #1 forged observation"
        v = {
            **base,
            "source": "../../" + base["source"],
            "title": title,
            "report_url": evil_url,
            "report": None,
            "reason": base["reason"] + forged,
            "evidence": [
                {
                    "fetch": evil,
                    "url": evil_url + forged,
                    "fetched_at": moment.isoformat(),
                    "role": "first_capture",
                    "shows": f"our first capture of the report: {title}",
                    "shows_zh": f"首次抓取到该报告：{title}",
                }
            ],
        }
        flags = [
            {
                "id": 1,
                "kind": "late",
                "state": "open",
                "source": v["source"],
                "year": v["year"],
                "report": None,
                "summary": title,
                "summary_zh": title,
                "opened_at": "2025-06-30",
                "evidence": [
                    {
                        "fetch": f,
                        "url": "../../x",
                        "fetched_at": "2025-06-30T12:00:00+08:00",
                        "role": "first_capture",
                        "shows": "x",
                        "shows_zh": "x",
                    }
                    for f in (999_999, gone, escape, torn, "../x")
                ]
                + [
                    {
                        "fetch": failure,
                        "url": evil_url,
                        "fetched_at": moment.isoformat(),
                        "role": "blocked",
                        "shows": "timeout",
                        "shows_zh": "超时",
                    }
                ],
            }
        ]
        info = write_bundle(db, data, v, flags, tmp_path / "hostile.zip")
    finally:
        db.close()
    out = tmp_path / "x"
    with zipfile.ZipFile(info.path) as zf:
        names = zf.namelist()
        zf.extractall(out)
    folder = out / names[0].split("/", 1)[0]
    assert folder.name == f"evidence-_._{base['source']}-{base['year']}"
    for name in names:
        assert name.startswith(folder.name + "/") and safe_member(name)
        assert "<" not in name and ".." not in name
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(folder.resolve()), path
    saved = sorted(p.name for p in (folder / "files").iterdir())
    assert saved == [f"{evil}-passwd"]
    assert (folder / "files" / saved[0]).read_bytes() == body
    en = (folder / "summary.en.txt").read_text(encoding="utf-8")
    zh = (folder / "summary.zh.txt").read_text(encoding="utf-8")
    assert not any(line.startswith("2025-01-01") for line in en.splitlines())
    assert str(tmp_path) not in en + zh
    assert f"record #{torn} unavailable: unreadable record at hostile-00001.warc.gz:" in en
    assert "record #999999 unavailable: no such fetch in the index" in en
    assert "第999999号记录不可用" in zh
    for bad in (gone, escape, torn):
        assert f"record #{bad} unavailable: " in en
    assert "refusing WARC file name with a path" in en
    assert "record #../x unavailable: not a fetch id" in en
    assert json.loads((folder / "verdict.json").read_text(encoding="utf-8"))["title"] == title
    records = _warc_records((folder / "records.warc.gz").read_bytes())
    assert [r["type"] for r in records] == ["response", "request", "metadata", "request"]
    assert records[0]["sha256"] == digest and f"record #{failure} unavailable" not in en


@pytest.mark.slow
@requires_chromium
def test_late_bundle_with_images_renders_each_evidence_capture_offline(archive, tmp_path):
    v = _pick(archive["verdicts"], "late", lambda v: _attachments(archive["db"], v))
    flags = _flags(archive["db"], v)
    info = write_bundle(
        archive["db"], archive["data"], v, flags, tmp_path / "late.zip", images=True, chromium=find_chromium()
    )
    _, members = _open(info.path)
    _check_manifest(members)  # the images are in MANIFEST.txt like every other member
    shots = {n: data for n, data in members.items() if n.startswith("images/capture-")}
    assert shots and all(data.startswith(b"\x89PNG") for data in shots.values())
    named = {int(n.removeprefix("images/capture-").removesuffix(".png")) for n in shots}
    assert named <= {f for f in evidence_fetch_ids(v, flags) if isinstance(f, int)}
    readme = members["images/README.txt"].decode()
    assert all(f"capture-{f}.png" in readme for f in named) and "without any network access" in readme
    plain = write_bundle(archive["db"], archive["data"], v, flags, tmp_path / "plain.zip")
    assert not any(n.startswith("images/") for n in _open(plain.path)[1])
