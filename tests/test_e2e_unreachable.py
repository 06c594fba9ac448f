"""Operator-facing failures are one line each (issue 13): a source whose host refuses the
connection, speaks no TLS, or never answers gets one stderr line naming the cause and its column;
its run outcome says ``unreachable:<cause>``; Scrapy's tracebacks go to DATA/logs/crawl.log only;
and a crawl (or run) in which no source could be read exits 1, while one readable source is
enough for exit 0."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from tests.simcrawl import nianbao, query, sim_world

pytestmark = pytest.mark.slow

TODAY = date(2025, 4, 10)
FAST = ("-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=0", "--profile", "sim")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (read: a timeout)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        sock.close()


def registry(path: Path, sources: dict[str, str]) -> Path:
    path.write_text(
        "".join(
            f'[[source]]\nid = "{sid}"\nagency = "{sid}县人民政府"\nlevel = "county"\nkind = "region"\n'
            f'urls = ["{url}"]\n\n'
            for sid, url in sources.items()
        ),
        encoding="utf-8",
    )
    return path


def test_unreadable_sources_get_one_line_each_and_the_crawl_exits_1(tmp_path):
    with (
        sim_world(tmp_path, seed=3, agencies=2, today=TODAY, troubles=False) as world,
        silent_server() as silent,
    ):
        # the simulator speaks plain HTTP: an https:// URL to it fails the TLS handshake
        tls = world.server.base_url.replace("http://", "https://") + "/zfxxgknb/"
        urls = {
            "refused": f"http://127.0.0.1:{closed_port()}/zfxxgknb/",
            "tls": tls,
            "silent": f"http://127.0.0.1:{silent}/zfxxgknb/",
        }
        sources = registry(tmp_path / "sources.toml", urls)
        data = tmp_path / "data"
        proc = nianbao("crawl", "--data", str(data), "--sources", str(sources), *FAST, now=TODAY, check=False)
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("nianbao: ")]
    assert sorted(lines[:-1]) == sorted(
        [
            f"nianbao: refused: unreachable (connection refused): {urls['refused']}",
            f"nianbao: silent: unreachable (timed out): {urls['silent']}",
            f"nianbao: tls: unreachable (TLS handshake or certificate failed): {urls['tls']}",
        ]
    )
    assert lines[-1].startswith("nianbao: no source could be read (3 unreachable or blocked")
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) <= 6, proc.stderr
    log = (data / "logs" / "crawl.log").read_text(encoding="utf-8")
    assert "Connection was refused" in log and "Traceback" in log
    statuses = {r["source_id"]: r["status"] for r in query(data, "select source_id, status from source_runs")}
    assert statuses == {
        "refused": "unreachable:refused",
        "tls": "unreachable:tls",
        "silent": "unreachable:timeout",
    }


def test_one_readable_source_is_enough_for_exit_0(tmp_path):
    with sim_world(tmp_path, seed=3, agencies=2, today=TODAY, troubles=False) as world:
        world.add_source("refused", "无法连接县人民政府", f"http://127.0.0.1:{closed_port()}/zfxxgknb/")
        data = tmp_path / "data"
        proc = nianbao(
            "crawl", "--data", str(data), "--sources", str(world.sources), *FAST, now=TODAY, check=False
        )
        assert proc.returncode == 0, proc.stderr
        assert "nianbao: refused: unreachable (connection refused)" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_a_run_with_no_readable_source_exits_1_after_its_one_lines(tmp_path):
    sources = registry(tmp_path / "sources.toml", {"refused": f"http://127.0.0.1:{closed_port()}/zfxxgknb/"})
    data = tmp_path / "data"
    proc = nianbao("run", "--data", str(data), "--sources", str(sources), *FAST, now=TODAY, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "nianbao: refused: unreachable (connection refused)" in proc.stderr
    assert "no source could be read" in proc.stderr and "Traceback" not in proc.stderr
