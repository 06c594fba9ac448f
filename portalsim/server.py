"""The simulator's HTTP server: a quiet ThreadingHTTPServer on 127.0.0.1 in a background thread.

HTTP/1.1 with keep-alive and ``Content-Length``; GET, HEAD and POST; no per-request logging.
:class:`SimServer` counts requests, statuses, bytes and the maximum number of requests handled
at once (``max_in_flight``), which tests use to check the crawler's politeness.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from portalsim.router import SimApp
from portalsim.truth import discovery_truth, truth_records


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: SimApp, sim: SimServer) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.sim = sim

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        """Stay quiet when a client goes away mid-answer."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """No per-request logging."""

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._answer("POST")

    def _answer(self, method: str) -> None:
        sim = self.server.sim
        sim._enter()
        entered = True
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            resp = self.server.app.handle(method, self.path, headers, body)
            if resp.delay:
                time.sleep(resp.delay)
            reason = HTTPStatus(resp.status).phrase if resp.status in HTTPStatus._value2member_map_ else ""
            lines = [f"HTTP/1.1 {resp.status} {reason}"] + [f"{k}: {v}" for k, v in resp.headers.items()]
            if resp.status != 304:
                lines.append(f"Content-Length: {len(resp.body)}")
            payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            sent = 0
            if method != "HEAD" and resp.status != 304:
                payload += resp.body
                sent = len(resp.body)
            sim._record(resp.status, sent)
            # Leave before writing: the client cannot see the answer before the request stops
            # counting, so sequential clients never look concurrent in max_in_flight.
            sim._leave()
            entered = False
            self.wfile.write(payload)
            self.wfile.flush()
        finally:
            if entered:
                sim._leave()


class SimServer:
    """A running simulator: ``base_url``, ``set_today``, ``set_redesigned``, ``set_pruned``,
    ``set_moved``, ``truth``, ``discovery_truth``, ``stats`` and ``shutdown``.

    ``today`` is a date or a date provider (a zero-argument callable read once per request).
    """

    def __init__(
        self,
        seed: int,
        agencies: int,
        today: date | Callable[[], date],
        host: str = "127.0.0.1",
        port: int = 0,
        troubles: bool = True,
    ) -> None:
        self.app = SimApp(seed, agencies, today, troubles)
        self._lock = threading.Lock()
        self._requests = 0
        self._by_status: dict[int, int] = {}
        self._in_flight = 0
        self._max_in_flight = 0
        self._bytes = 0
        self._httpd = _Server((host, port), self.app, self)
        bound_host, bound_port = self._httpd.server_address[:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="nianbao-sim", daemon=True
        )
        self._thread.start()

    def set_today(self, d: date) -> None:
        """Serve the same world as of another date (thread-safe)."""
        self.app.set_today(d)

    def set_redesigned(self, indices: Iterable[int]) -> None:
        """Make the columns of agencies ``indices`` (1-based) list nothing from now on; empty restores them."""
        self.app.set_redesigned(indices)

    def set_pruned(self, before: dict[int, int]) -> None:
        """Make the columns of agencies (1-based index → year) list only reports of that year on."""
        self.app.set_pruned(before)

    def set_moved(self, indices: Iterable[int]) -> None:
        """Make the column URLs of agencies ``indices`` answer 404 (the column moved, no redirect)."""
        self.app.set_moved(indices)

    def truth(self, today: date | None = None) -> list[dict]:
        """Truth records of this world with absolute URLs (as of ``today``, default: the served date)."""
        app = self.app
        return truth_records(app.seed, app.agencies, today or app.today, base_url=self.base_url)

    def discovery_truth(self) -> dict:
        """The discovery truth of this world's portals with absolute URLs (see :func:`portalsim.discovery_truth`)."""
        return discovery_truth(self.app.seed, self.app.agencies, base_url=self.base_url)

    def stats(self) -> dict:
        """Counters since start: requests, by_status, max_in_flight, bytes_sent."""
        with self._lock:
            return {
                "requests": self._requests,
                "by_status": dict(self._by_status),
                "max_in_flight": self._max_in_flight,
                "bytes_sent": self._bytes,
            }

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _record(self, status: int, sent: int) -> None:
        with self._lock:
            self._requests += 1
            self._by_status[status] = self._by_status.get(status, 0) + 1
            self._bytes += sent

    def __enter__(self) -> SimServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def start_server(
    seed: int,
    agencies: int,
    today: date | Callable[[], date],
    host: str = "127.0.0.1",
    port: int = 0,
    troubles: bool = True,
) -> SimServer:
    """Start the simulator in a background thread and return it (``port=0``: any free port)."""
    return SimServer(seed, agencies, today, host, port, troubles)


def serve_forever(
    seed: int,
    agencies: int,
    today: date | Callable[[], date],
    host: str = "127.0.0.1",
    port: int = 0,
    troubles: bool = True,
) -> None:
    """Serve until SIGINT/SIGTERM, after printing the base URL on its own line (``nianbao sim serve``)."""
    server = start_server(seed, agencies, today, host, port, troubles)
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    print(server.base_url, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
