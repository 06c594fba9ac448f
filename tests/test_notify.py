"""Notifications through apprise to a real HTTP server on 127.0.0.1: no mocks."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import apprise
import pytest

from crawler.outputs import notify
from crawler.outputs.notify import INVALID_URL, Delivery, compose, deliver, redact

ROOT = Path(__file__).parent.parent
HOSTILE = "<script>alert('x')</script>"


def event(id_=31, **kw):
    base = {
        "id": id_, "flag_id": id_, "at": "2026-04-01T10:00:00+08:00", "event": "opened", "kind": "late",
        "previous_kind": None, "source": f"sim-{id_:05d}", "agency": f"某某县{id_}局", "year": 2024,
        "report": None, "summary": f"Published late ({id_}).", "summary_zh": f"逾期发布（{id_}）。",
        "url": f"http://www.example.gov.cn/art/{id_}.html", "notified_at": None,
    }  # fmt: skip
    return base | kw


class Recorder(ThreadingHTTPServer):
    """Records every request; ``/fail`` answers 500, ``/slow`` answers after 2 s."""

    daemon_threads = True

    def __init__(self):
        self.requests: list[dict] = []
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]

    def body(self, path: str) -> bytes:
        (found,) = [r["body"] for r in self.requests if r["path"] == path]
        return found


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path.startswith("/slow"):
            time.sleep(2)
        self.send_response(500 if self.path.startswith("/fail") else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve() -> Recorder:
    server = Recorder()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture
def server():
    srv = serve()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- compose ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kinds", "title"),
    [
        ([], "nianbao: no flag changes"),
        (["opened"], "nianbao: 1 new flag"),
        (["opened", "opened", "opened", "closed"], "nianbao: 3 new flags, 1 closed"),
        (["closed", "updated", "reopened", "opened"], "nianbao: 1 new flag, 1 reopened, 1 updated, 1 closed"),
        (["closed", "closed"], "nianbao: 2 closed flags"),
    ],
)
def test_compose_title_counts_events(kinds, title):
    assert compose([event(i, event=k) for i, k in enumerate(kinds, 1)], run_label="check 7")[0] == title


def test_compose_body_lists_every_event_field():
    title, body = compose(
        [event(1), event(2, event="closed", kind="late", previous_kind="missing", year=None, url=None)],
        run_label="check 2026-04-01",
    )
    assert body.splitlines()[0] == "Run check 2026-04-01: 2 flag events."
    assert "- [opened] late: 某某县1局 2024\n  逾期发布（1）。\n  Published late (1).\n" in body
    assert "  http://www.example.gov.cn/art/1.html" in body
    assert "- [closed] late (was missing): 某某县2局\n  逾期发布（2）。\n  Published late (2)." in body
    assert "art/2.html" not in body and "more" not in body


def test_compose_neutralises_hostile_text():
    _, body = compose(
        [
            event(
                1,
                agency="局\n- [closed] forged line\r\x00\x1b[31m",
                summary="\u202egnp.exe",
                url="javascript:alert(1)",
            ),
            event(2, agency=HOSTILE, summary="x" * 5000),
        ],
        run_label="run\nlabel",
    )
    lines = body.splitlines()
    assert lines[0] == "Run run label: 2 flag events."
    assert [line for line in lines if line.startswith("- ")] == [
        "- [opened] late: 局 - [closed] forged line [31m 2024",
        f"- [opened] late: {HOSTILE} 2024",
    ]
    assert "gnp.exe" in body and "\u202e" not in body and "javascript" not in body
    assert max(map(len, lines)) <= notify.MAX_FIELD + 2


def listed(body: str) -> int:
    return sum(line.startswith("- [") for line in body.splitlines())


@pytest.mark.parametrize(
    ("events", "shown"),
    [
        ([event(i) for i in range(1, 201)], notify.MAX_LISTED),  # capped by count
        (
            [event(i, agency="局" * 300, summary="s" * 300, summary_zh="中" * 300) for i in range(40)],
            7,
        ),  # by size
        ([event(i) for i in range(1, notify.MAX_LISTED + 1)], notify.MAX_LISTED),  # fits exactly
    ],
)
def test_compose_caps_the_body_and_points_to_the_feed(events, shown):
    _, body = compose(events, run_label="big")
    assert len(body) <= notify.MAX_BODY
    assert listed(body) == shown
    more = len(events) - shown
    assert body.endswith(f"… and {more} more (the Atom feed lists them all).") == bool(more)


# -- redact ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown", "hidden"),
    [
        (
            "json://user:pw-secret@127.0.0.1:8080/hook/TOKEN123?+X-Api-Key=HDR-SECRET&-key=GET-SECRET&:p=PAY-SECRET",
            "json://user:****@127.0.0.1:8080/h...k/T...3",
            ["pw-secret", "TOKEN123", "HDR-SECRET", "GET-SECRET", "PAY-SECRET"],
        ),
        (
            "tgram://123456789:ABCdefGHIjklMNOpqrSTUvwxYZ/12345",
            "tgram://1...Z/1...5",
            ["ABCdefGHIjklMNOpqrSTUvwxYZ", "12345"],
        ),
        ("mailto://me:mail-secret@gmail.com", "mailtos://me:****@gmail.com", ["mail-secret"]),
        ("ntfy://u:ntfy-secret@ntfy.sh/alerts", "ntfy://u:****@ntfy.sh/a...s", ["ntfy-secret"]),
        # Not apprise URLs: best effort from the text.
        (
            "https://hooks.example.org/services/T0SECRET?token=QSECRET",
            "https://hooks.example.org/s...s/T...T",
            ["T0SECRET", "QSECRET"],
        ),
        ("bogus://bogustoken/SECRET", "bogus://b...n/S...T", ["bogustoken", "SECRET"]),
        ("not a url with SECRET", "***", ["SECRET"]),
        ("http://[::1", "***", []),
        ("", "***", []),
    ],
)
def test_redact(url, shown, hidden):
    assert redact(url) == shown
    assert not any(secret in redact(url) for secret in hidden)


# -- deliver ---------------------------------------------------------------------------------------


def test_one_post_per_target_carrying_every_event_with_hostile_text_literal(server):
    events = [event(1), event(2, agency=HOSTILE, summary="a & b ]]> <b>c</b>"), event(3, event="closed")]
    urls = [
        f"json://127.0.0.1:{server.port}/json",
        f"form://127.0.0.1:{server.port}/form",
        f"xml://127.0.0.1:{server.port}/xml",
    ]
    results = deliver(urls, events, run_label="check 9", timeout=2)
    port = server.port
    assert results == [
        Delivery(f"json://127.0.0.1:{port}/j...n", True, None, 3),
        Delivery(f"form://127.0.0.1:{port}/f...m", True, None, 3),
        Delivery(f"xml://127.0.0.1:{port}/***", True, None, 3),
    ]
    assert sorted(server.paths()) == ["/form", "/json", "/xml"]  # exactly one POST each
    title, body = compose(events, run_label="check 9")
    payloads = {
        "json": json.loads(server.body("/json")),
        "form": {k: v[0] for k, v in parse_qs(server.body("/form").decode()).items()},
    }
    message = ET.fromstring(server.body("/xml")).find(".//Notification")
    payloads["xml"] = {"title": message.findtext("Subject"), "message": message.findtext("Message")}
    for name, payload in payloads.items():
        assert payload["title"] == "nianbao: 2 new flags, 1 closed", name
        assert payload["message"] == body, name
        assert f"- [opened] late: {HOSTILE} 2024" in payload["message"], name
        for e in events:
            assert e["agency"] in payload["message"] and e["summary_zh"] in payload["message"], name
    assert payloads["json"]["type"] == "info" and title == payloads["json"]["title"]


def test_html_target_gets_the_text_escaped_by_apprise(server):
    (result,) = deliver(
        [f"json://127.0.0.1:{server.port}/h?format=html"], [event(agency=HOSTILE)], run_label="r"
    )
    assert result.ok
    message = json.loads(server.body("/h"))["message"]
    assert "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;" in message
    assert "<script>" not in message and "<br/>" in message  # apprise's text_to_html


@pytest.mark.skipif(
    not hasattr(apprise.conversion, "text_to_markdown"),
    reason="this apprise passes plain text to Markdown targets unescaped (1.7.0 does)",
)
def test_markdown_target_gets_the_text_escaped_by_apprise(server):
    hostile = "[click](http://evil.example/) ![](http://evil.example/pixel.png)"
    (result,) = deliver(
        [f"json://127.0.0.1:{server.port}/m?format=markdown"], [event(agency=hostile)], run_label="r"
    )
    assert result.ok
    message = json.loads(server.body("/m"))["message"]
    assert r"\[click\]\(http://evil\.example/\) \!\[\]\(http://evil\.example/pixel\.png\)" in message
    assert "[click](" not in message


def test_failing_targets_are_reported_and_do_not_hide_the_others(server, closed_port):
    urls = [
        f"json://127.0.0.1:{closed_port}/refused",
        "bogus://nowhere",
        "not a url",
        "",
        "https://hooks.example.org/no-such-apprise-scheme",
        f"json://127.0.0.1:{server.port}/fail",
        f"json://127.0.0.1:{server.port}/ok",
    ]
    results = deliver(urls, [event(1), event(2)], run_label="r", timeout=2)
    assert [r.ok for r in results] == [False] * 6 + [True]
    assert all(r.events == 2 for r in results)
    assert results[0].error == "A Connection error occurred sending JSON notification to 127.0.0.1."
    assert [r.error for r in results[1:5]] == [INVALID_URL] * 4
    assert "500" in results[5].error
    assert results[6].error is None
    assert sorted(server.paths()) == ["/fail", "/ok"]


def test_timeout_is_applied(server):
    started = time.monotonic()
    (slow,) = deliver([f"json://127.0.0.1:{server.port}/slow"], [event()], run_label="r", timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert not slow.ok and "Connection error" in slow.error
    assert server.paths() == ["/slow"]  # no retry


def test_no_events_no_message(server):
    assert deliver([f"json://127.0.0.1:{server.port}/x"], [], run_label="r") == []
    assert server.requests == []


def test_secrets_reach_the_target_but_not_logs_status_or_errors(server, closed_port, caplog):
    caplog.set_level(logging.DEBUG)
    secrets = ["pw-secret-1", "PATHSECRET2", "HDRSECRET3", "GETSECRET4", "PAYSECRET5"]
    good = (
        f"json://user:pw-secret-1@127.0.0.1:{server.port}/hook/PATHSECRET2"
        "?+X-Api-Key=HDRSECRET3&-key=GETSECRET4&:extra=PAYSECRET5"
    )
    bad = f"json://user:pw-secret-1@127.0.0.1:{closed_port}/hook/PATHSECRET2?+X-Api-Key=HDRSECRET3"
    results = deliver([good, bad], [event()], run_label="r", timeout=2)
    assert [r.ok for r in results] == [True, False]
    (request,) = server.requests
    assert request["path"] == "/hook/PATHSECRET2?key=GETSECRET4"
    assert request["headers"]["X-Api-Key"] == "HDRSECRET3"
    assert json.loads(request["body"])["extra"] == "PAYSECRET5"
    assert "apprise" in caplog.text and "urllib3" in {r.name.split(".")[0] for r in caplog.records}
    shown = caplog.text + repr(results)
    assert not [s for s in secrets if s in shown]


def test_no_user_config_plugins_or_storage_are_read(server, tmp_path, monkeypatch):
    decoy = serve()
    try:
        home = tmp_path / "home"
        marker = tmp_path / "plugin-was-imported"
        decoy_url = f"urls:\n  - json://127.0.0.1:{decoy.port}/decoy\n"
        for name in (".apprise.yml", ".config/apprise.yml", ".config/apprise/apprise.yml"):
            (home / name).parent.mkdir(parents=True, exist_ok=True)
            (home / name).write_text(decoy_url)
        for plugins in (".apprise/plugins", ".config/apprise/plugins"):
            (home / plugins).mkdir(parents=True)
            (home / plugins / "spy.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
        for var in ("HOME", "XDG_CONFIG_HOME", "APPDATA", "LOCALAPPDATA"):
            monkeypatch.setenv(var, str(home))
        monkeypatch.setenv("APPRISE_URLS", f"json://127.0.0.1:{decoy.port}/env")
        (result,) = deliver([f"json://127.0.0.1:{server.port}/only"], [event()], run_label="r")
        assert result.ok and server.paths() == ["/only"]
        assert decoy.requests == [] and not marker.exists()
        assert not (home / ".local/share/apprise").exists()
    finally:
        decoy.shutdown()
        decoy.server_close()


def test_loading_apprise_plugins_passes_under_warnings_as_errors():
    # Plugins load once per process, so check a fresh interpreter with every warning an error.
    code = "from crawler.outputs.notify import redact; print(redact('mailto://u:p@gmail.com'))"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "mailtos://u:****@gmail.com"
