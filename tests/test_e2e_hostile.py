"""Hostile content end to end: a simulator report whose title carries ``<script>`` and ``<img
onerror>`` payloads and whose attachment is served as ``../../….pdf`` is crawled, judged late,
and every output — flags, notification, Atom feed, HTML report, evidence zip — carries the
payload as inert text, with every zip member inside its folder."""

from __future__ import annotations

import json
import threading
import urllib.request
import zipfile
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import lxml.etree
import lxml.html
import pytest

from portalsim.world import HOSTILE_TITLE_SUFFIX, report_plan
from tests.simcrawl import crawl, nianbao, query, sim_world

pytestmark = pytest.mark.slow

SEED, INDEX, YEAR = 21, 33, 2021  # a plan the world draws as hostile, late, with opaque PDF attachments
SOURCE = f"sim-{INDEX:05d}"
TODAY = date(2025, 4, 10)
PAYLOAD = "<script>alert(1)</script>"


class Hook(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.posts: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.server.posts.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def only_source(text: str, source_id: str) -> str:
    blocks = text.split("\n[[source]]\n")
    keep = [b for b in blocks[1:] if f'id = "{source_id}"' in b]
    return blocks[0] + "".join("\n[[source]]\n" + b for b in keep)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    plan = report_plan(SEED, INDEX, YEAR)
    assert plan.hostile and plan.fate == "late" and plan.opaque and HOSTILE_TITLE_SUFFIX in plan.title
    tmp = tmp_path_factory.mktemp("hostile")
    hook = Hook()
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    out = {"tmp": tmp, "data": tmp / "data", "hook": hook}
    with sim_world(tmp, seed=SEED, agencies=INDEX, today=TODAY) as w:
        w.sources.write_text(only_source(w.sources.read_text(encoding="utf-8"), SOURCE), encoding="utf-8")
        out["sources"] = w.sources
        crawl(w, out["data"], TODAY)
        report = query(
            out["data"],
            "select url, title from reports where own = 1 and source_id = ? and report_year = ?",
            (SOURCE, YEAR),
        )[0]
        out["report"] = report
        attachments = query(
            out["data"],
            "select a.url from attachments a join reports r on r.id = a.report_id "
            "where r.own = 1 and r.source_id = ? and r.report_year = ?",
            (SOURCE, YEAR),
        )
        with urllib.request.urlopen(attachments[0]["url"]) as resp:  # noqa: S310 (127.0.0.1)
            out["disposition"] = resp.headers["Content-Disposition"]
        data = str(out["data"])
        nianbao("extract", "--data", data, now=TODAY)
        out["check"] = nianbao(
            "check",
            "--data",
            data,
            "--sources",
            str(w.sources),
            now=TODAY,
            env={"NIANBAO_NOTIFY_URLS": f"json://127.0.0.1:{hook.server_address[1]}/hook"},
        )
    yield out
    hook.shutdown()
    hook.server_close()


def test_the_payload_arrives_as_crawled_text(world):
    assert PAYLOAD in world["report"]["title"]
    assert "../../" in world["disposition"] or "..%2F..%2F" in world["disposition"]


def test_flag_and_notification_carry_it_as_text(world):
    flags = json.loads(nianbao("flags", "--data", str(world["data"]), "--json").stdout)
    late = [f for f in flags if f["kind"] == "late" and f["year"] == YEAR]
    assert late and PAYLOAD in late[0]["summary"]
    assert len(world["hook"].posts) == 1
    message = json.loads(world["hook"].posts[0])["message"]
    assert PAYLOAD in message  # a JSON string: text, for the receiver to escape when it renders


def test_feed_is_well_formed_with_no_injected_elements(world):
    tree = lxml.etree.parse(str(world["data"] / "flags.atom"))
    assert not tree.xpath("//*[local-name()='script' or local-name()='img']")
    titles = tree.xpath("//*[local-name()='entry']/*[local-name()='title']/text()")
    assert any(PAYLOAD in t for t in titles)


def test_html_report_escapes_it(world):
    out = world["tmp"] / "report.html"
    nianbao("report", "--data", str(world["data"]), "--out", str(out), now=TODAY)
    page = out.read_text(encoding="utf-8")
    assert PAYLOAD not in page and "&lt;script&gt;alert(" in page
    doc = lxml.html.fromstring(page)
    assert not [s for s in doc.iter("script") if "alert(" in (s.text or "")]
    assert not doc.xpath("//img[@src='x']")
    assert PAYLOAD in doc.text_content()


def test_evidence_zip_names_stay_inside_its_folder(world):
    out = world["tmp"] / "evidence.zip"
    nianbao(
        "evidence",
        SOURCE,
        str(YEAR),
        "--data",
        str(world["data"]),
        "--sources",
        str(world["sources"]),
        "--out",
        str(out),
        now=TODAY,
    )
    target = (world["tmp"] / "unzipped").resolve()
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert all(n.startswith(f"evidence-{SOURCE}-{YEAR}/") and ".." not in n.split("/") for n in names)
        zf.extractall(target)
        verdict = json.loads(zf.read(f"evidence-{SOURCE}-{YEAR}/verdict.json"))
    assert verdict["status"] == "late" and PAYLOAD in verdict["title"]
    for path in target.rglob("*"):
        assert path.resolve().is_relative_to(target / f"evidence-{SOURCE}-{YEAR}")
    files = [n for n in names if "/files/" in n]
    assert files and all("/" not in n.split("/files/", 1)[1] for n in files)
