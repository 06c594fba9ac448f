"""Notifications: one batched plain-text message per check run, sent through apprise.

``compose(events, run_label=...)`` turns the pending flag events of one run (dicts as in
:mod:`crawler.compliance`) into one ``(title, body)``: the title counts them ("nianbao: 3 new flags, 1 closed"),
the body lists each event (event, kind, agency, year, both summaries, URL), at most
``MAX_LISTED`` events and ``MAX_BODY`` characters, then "… and N more" (the Atom feed has all).

``deliver(urls, events, run_label=..., timeout=10)`` sends that message to each apprise URL
separately and returns one :class:`Delivery` per URL, in order: a failing or invalid target is
reported (``ok=False`` with an error) and never hides the others; nothing raises. No events, no
message: it returns ``[]``. ``redact(url)`` is the URL as logs and status output may show it.

Hostile text. Agency names, summaries and URLs may come from crawled pages. ``compose`` removes
control and bidi-override characters and puts every field on one line (no fake lines); the title
holds only counts. The message is sent as ``NotifyFormat.TEXT``: targets that take text get it
verbatim (json:// delivers ``<script>`` as that literal text), and apprise escapes it for targets
that render HTML (``&lt;script&gt;``, newlines as ``<br/>``; checked with 1.7.0 and 2.3.0) or
Markdown (backslash escapes, so ``[x](url)`` is no link; 2.3.0 does, 1.7.0 passes the text to a
Markdown target unchanged). Emoji shortcodes and backslash escapes in the text are not interpreted.

Secrets. Only the URLs given are used: the Python API of apprise reads no ``~/.apprise`` or
``~/.config/apprise`` file and loads no plugin directory unless asked, and persistent storage stays
off (no ``storage_path``). apprise's own URL privacy masks passwords and the tokens of known
services but not the path, headers (``+Header=``), payload extras (``:key=``) or GET parameters
(``-key=``) of the generic json/form/xml webhooks, and apprise and urllib3 log the request path at
DEBUG; so :func:`redact` also masks path segments and drops the query, and while a URL is being
delivered every record of the ``apprise`` and ``urllib3.connectionpool`` loggers has the parts of
that URL that ``redact`` hides replaced by ``****``. Errors are the (scrubbed) warnings apprise
logged for that target, e.g. "A Connection error occurred sending JSON notification to 127.0.0.1.".

``timeout`` sets apprise's connect and read timeouts (``cto``/``rto``, default 4 s each) unless
the URL sets its own. apprise retries nothing by default, so a batch is one request per target.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlsplit

import apprise

logger = logging.getLogger(__name__)

MAX_LISTED = 50  # events listed in one message
MAX_BODY = 6000  # characters of body; many chat services cut at 4,000-10,000
MAX_FIELD = 300  # characters of one agency name or summary
INVALID_URL = "not a valid apprise URL"

# How each event counts in the title, in title order.
EVENT_WORDS = {"opened": "new", "reopened": "reopened", "updated": "updated", "closed": "closed"}

_SCRUBBED_LOGGERS = ("apprise", "urllib3.connectionpool")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*", re.IGNORECASE)
_TOKEN_SPLIT = re.compile(r"[/:@?&=#+,;\s]+")
_LINKABLE = re.compile(r"https?://[^\x00-\x20\x7f]+", re.IGNORECASE)
_MIN_SECRET = 3  # shorter URL parts are not scrubbed from log lines (too many false hits)
_LOCK = threading.RLock()  # one delivery at a time: logger filters and warning filters are global


@dataclass(frozen=True)
class Delivery:
    """The outcome of sending one run's message to one apprise URL."""

    url_redacted: str
    ok: bool
    error: str | None
    events: int


def clean(value: object, limit: int = MAX_FIELD) -> str:
    """One line of plain text: controls and bidi overrides removed, whitespace collapsed, cut."""
    text = "" if value is None else str(value)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    text = " ".join(_BIDI.sub("", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _title(events: list[dict]) -> str:
    counts = Counter(str(e.get("event") or "updated") for e in events)
    order = [w for w in EVENT_WORDS if counts[w]] + sorted(w for w in counts if w not in EVENT_WORDS)
    if not order:
        return "nianbao: no flag changes"
    parts = [f"{counts[w]} {EVENT_WORDS.get(w, clean(w, 20))}" for w in order]
    parts[0] += " flag" if counts[order[0]] == 1 else " flags"
    return "nianbao: " + ", ".join(parts)


def _block(event: dict) -> str:
    kind = clean(event.get("kind") or "flag", 40)
    if event.get("previous_kind") and event["previous_kind"] != event.get("kind"):
        kind += f" (was {clean(event['previous_kind'], 40)})"
    who = clean(event.get("agency") or event.get("source") or "?", 120)
    if event.get("year") is not None:
        who += f" {clean(event['year'], 10)}"
    lines = [f"- [{clean(event.get('event') or 'updated', 20)}] {kind}: {who}"]
    lines += [f"  {clean(event[key])}" for key in ("summary_zh", "summary") if event.get(key)]
    url = event.get("url")
    if isinstance(url, str) and _LINKABLE.fullmatch(url):
        lines.append(f"  {clean(url, 500)}")
    return "\n".join(lines)


def compose(events: list[dict], *, run_label: str) -> tuple[str, str]:
    """The one ``(title, body)`` announcing ``events`` of the run ``run_label``, as plain text."""
    head = f"Run {clean(run_label, 80)}: {len(events)} flag event{'' if len(events) == 1 else 's'}."
    blocks: list[str] = []
    size = len(head)
    for index, event in enumerate(events):
        block = _block(event)
        rest = len(events) - index
        # Keep room for the "… and N more" line unless this is the last event.
        reserve = 0 if rest == 1 else 80
        if len(blocks) == MAX_LISTED or size + 2 + len(block) + reserve > MAX_BODY:
            blocks.append(f"… and {rest} more (the Atom feed lists them all).")
            break
        blocks.append(block)
        size += 2 + len(block)
    return _title(events), "\n\n".join([head, *blocks])


def _mask(part: str) -> str:
    return "***" if len(part) < 4 else f"{part[0]}...{part[-1]}"


def _mask_path(path: str) -> str:
    segments = [s if not s or "..." in s else _mask(s) for s in path.split("/")]
    return "/".join(segments).rstrip("/")


def _redact_unparsed(url: str) -> str:
    """Best effort for a string apprise cannot load: keep scheme, host name and port, mask the rest."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "***"
    if not parts.scheme or not _SCHEME.fullmatch(parts.scheme):
        return "***"
    host = parts.hostname or ""
    if host and "." not in host and host != "localhost":
        host = _mask(host)
    userinfo = ""
    if parts.username:
        userinfo = _mask(parts.username) + (":****" if parts.password is not None else "") + "@"
    netloc = userinfo + host + (f":{port}" if port else "")
    return f"{parts.scheme}://{netloc}{_mask_path(parts.path)}"


def redact(url: str) -> str:
    """``url`` with passwords, tokens, path segments and query removed or masked, for logs/status."""
    if not isinstance(url, str) or not url.strip():
        return "***"
    plugin = _instantiate(url)
    if plugin is None:
        return _redact_unparsed(url)
    try:
        private = urlsplit(plugin.url(privacy=True))
    except Exception:  # a plugin's url() is third-party code; never let it break status output
        return _redact_unparsed(url)
    return f"{private.scheme}://{private.netloc}{_mask_path(private.path)}"


def _secrets(url: str, shown: str) -> list[str]:
    """The parts of ``url`` that ``shown`` (its redaction) hides, longest first, plain and quoted."""
    visible = set(_TOKEN_SPLIT.split(shown)) | {url.partition("://")[0]}
    found: set[str] = set()
    for raw in {url, unquote(url)}:
        for token in _TOKEN_SPLIT.split(raw):
            if len(token) >= _MIN_SECRET and token not in visible:
                found.update({token, quote(token, safe="")})
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password:
        found.update({password, unquote(password)})
    return sorted(found, key=len, reverse=True)


class _Scrub(logging.Filter):
    """Replaces secrets in log records while one URL is delivered and keeps apprise's warnings."""

    def __init__(self, secrets: list[str], floor: int) -> None:
        super().__init__()
        self.secrets = secrets
        self.floor = floor  # the level the application had configured; quieter records are dropped
        self.problems: list[str] = []

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "****")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = self.scrub(record.getMessage())
        except Exception:  # a malformed record must not break the delivery that logged it
            message = self.scrub(str(record.msg))
        record.msg, record.args = message, None
        record.exc_info = record.exc_text = None
        if record.name == "apprise" and record.levelno >= logging.WARNING:
            self.problems.append(message)
        return record.name != "apprise" or record.levelno >= self.floor


@contextlib.contextmanager
def _scrubbed_logs(secrets: list[str]):
    """Attach :class:`_Scrub` to apprise's and urllib3's loggers; apprise logs at least warnings."""
    apprise_logger = logging.getLogger("apprise")
    floor = apprise_logger.getEffectiveLevel()
    scrub = _Scrub(secrets, floor)
    loggers = [logging.getLogger(name) for name in _SCRUBBED_LOGGERS]
    level = apprise_logger.level
    if floor > logging.WARNING:
        apprise_logger.setLevel(logging.WARNING)
    for each in loggers:
        each.addFilter(scrub)
    try:
        yield scrub
    finally:
        for each in loggers:
            each.removeFilter(scrub)
        apprise_logger.setLevel(level)


def _asset() -> apprise.AppriseAsset:
    # No storage path (persistent storage off), no plugin paths, nothing read from the user's home.
    return apprise.AppriseAsset(
        async_mode=False, interpret_emojis=False, interpret_escapes=False, secure_logging=True
    )


def _instantiate(url: str):
    """apprise's plugin object for ``url``, or None when it is not a (single) valid apprise URL."""
    if not isinstance(url, str) or not url.strip() or any(ch.isspace() for ch in url.strip()):
        return None
    # apprise logs the URL it loads; until it is loaded only scheme, host and port are known safe.
    with _LOCK, _scrubbed_logs(_secrets(url, _redact_unparsed(url))), warnings.catch_warnings():
        # The first lookup imports every apprise plugin; apprise 2.x's e-mail plugin then imports
        # the stdlib imghdr (deprecated in 3.11, gone in 3.13, where apprise ships a shim).
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
        try:
            return apprise.Apprise.instantiate(url.strip(), asset=_asset())
        except Exception as exc:  # a plugin constructor raising something apprise did not catch
            logger.warning("apprise could not load %s: %s", _redact_unparsed(url), type(exc).__name__)
            return None


def _set_timeouts(plugin, url: str, timeout: float) -> None:
    query = parse_qs(urlsplit(url).query)
    if "cto" not in query:
        plugin.socket_connect_timeout = float(timeout)
    if "rto" not in query:
        plugin.socket_read_timeout = float(timeout)


def _deliver_one(url: str, title: str, body: str, count: int, timeout: float) -> Delivery:
    shown = redact(url)
    plugin = _instantiate(url)
    if plugin is None:
        logger.warning("notification target %s: %s", shown, INVALID_URL)
        return Delivery(shown, False, INVALID_URL, count)
    _set_timeouts(plugin, url, timeout)
    sender = apprise.Apprise(asset=plugin.asset)
    sender.add(plugin)
    error = None
    with _LOCK, _scrubbed_logs(_secrets(url, shown)) as scrub:
        try:
            ok = bool(sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT))
        except Exception as exc:  # apprise reports failures by return value; anything else is a bug there
            ok, error = False, scrub.scrub(f"{type(exc).__name__}: {exc}")
    if not ok:
        error = clean(error or "; ".join(dict.fromkeys(scrub.problems)) or "delivery failed", 500)
        logger.warning("notification to %s failed: %s", shown, error)
    else:
        logger.info("notification sent to %s (%s)", shown, f"{count} flag events" if count else "message")
    return Delivery(shown, ok, error, count)


def deliver(urls: list[str], events: list[dict], *, run_label: str, timeout: float = 10) -> list[Delivery]:
    """Send the run's one message to each URL separately; one :class:`Delivery` per URL, in order."""
    if not events:
        return []
    title, body = compose(events, run_label=run_label)
    return [_deliver_one(url, title, body, len(events), timeout) for url in urls]


def deliver_message(urls: list[str], title: str, lines: list[str], *, timeout: float = 10) -> list[Delivery]:
    """Send one operational message (the scheduler's alerts) to each URL, every line cleaned like
    an event field (a run's output may quote crawled text)."""
    body = "\n".join(clean(line, MAX_FIELD) for line in lines)[:MAX_BODY]
    return [_deliver_one(url, clean(title, 200), body, 0, timeout) for url in urls]
