"""Recognise anti-bot and WAF challenge pages (portals.md §5).

A challenge page is a failed fetch, never an empty column: callers record ``blocked:<kind>``
and must not conclude that a report is missing.  :func:`detect_block` looks at the status, the
headers and the first bytes of the body, and returns one of ``crawler.vocab.words.BLOCK_KINDS`` or None.

Body markers (``$_ts``, ``__jsluid``, ``EO_Bot_Ssid``, ``WZWSRE``) are decisive unless a 2xx
page also carries real visible text: protected sites inject the vendor script into their
normal pages too.  Header and cookie markers alone (``X-Via-JSL``, a ``__jsluid_s`` or
``wzws_cid`` cookie) also ride on normal pages served through the same CDN, so they only count
on a challenge-style status (403, 412, 429, 503, 521).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from crawler.vocab.words import BLOCK_KINDS

RUISHU, JIASULE, EDGEONE, WZWS, WAF, TINY, CAPTCHA, LOGIN = BLOCK_KINDS

HEAD_LIMIT = 8 * 1024  # WAF phrases and titles are looked for in this many leading bytes
MARKER_LIMIT = 64 * 1024  # vendor script markers are looked for in this many leading bytes
SMALL_PAGE = 8 * 1024  # a WAF phrase outside <title> counts only in a body smaller than this
TINY_PAGE = 500  # a 200 HTML body smaller than this is an empty shell
REAL_TEXT = 200  # visible text bytes that make a 2xx page real despite vendor script markers
CHALLENGE_STATUSES = frozenset({403, 412, 429, 503, 521})
WAF_STATUSES = frozenset({403, 429})

WAF_PHRASES_ZH = ("请稍候", "安全验证", "访问异常", "滑动验证", "访问过于频繁")
WAF_PHRASES_EN = (b"please enable javascript",)

# Binary documents are never challenge pages (OFD and DOCX/XLSX are ZIP containers).
_DOC_MAGIC = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"GIF8",
    b"II*\x00",
    b"MM\x00*",
)

_RUISHU_META = re.compile(rb"""<meta\s+id=["']?[A-Za-z0-9_]{6,}["']?\s+content=["'][^"']{32,}""", re.I)
_RUISHU_SCRIPT = re.compile(rb"""<script[^>]*\sr=["']m["']""", re.I)
_RUISHU_COOKIE = re.compile(r"(?:^|[;,]\s*)[A-Za-z0-9_]+80[ST]=")
_WZWS_BODY = re.compile(rb"WZWSRE|wzwschallenge|wzwsquestion|wzwsmethod", re.I)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
_REDIRECT = re.compile(
    rb"""http-equiv\s*=\s*["']?refresh|(?:window|document|top|self)\.location|"""
    rb"""location\.(?:href|replace|assign)""",
    re.I,
)
_INVISIBLE = re.compile(
    rb"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>|&[a-z]+;|\s+", re.I | re.S
)
_HTML_SNIFF = re.compile(rb"<(?:!doctype|html|head|body|meta|title|script|div|p)\b", re.I)


def _phrase_variants() -> tuple[bytes, ...]:
    variants: list[bytes] = []
    for phrase in WAF_PHRASES_ZH:
        for encoding in ("utf-8", "gb18030"):
            encoded = phrase.encode(encoding)
            if encoded not in variants:
                variants.append(encoded)
    return tuple(variants)


_WAF_PHRASE_BYTES = _phrase_variants()


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def _header_map(headers: Any) -> dict[str, list[str]]:
    """Lower-cased header names → all their values as str; tolerates Scrapy ``Headers`` (bytes, lists)."""
    result: dict[str, list[str]] = {}
    try:
        items = list(headers.items()) if headers is not None else []
    except (AttributeError, TypeError):
        return result
    for key, value in items:
        values = value if isinstance(value, list | tuple) else [value]
        result.setdefault(_as_text(key).strip().lower(), []).extend(_as_text(v) for v in values)
    return result


def _as_bytes(body: Any) -> bytes:
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    return body.encode("utf-8", "replace") if isinstance(body, str) else b""


def _as_status(status: Any) -> int:
    try:
        return int(status)
    except (TypeError, ValueError):
        return 0


def _has_waf_phrase(data: bytes) -> bool:
    return any(p in data for p in _WAF_PHRASE_BYTES) or any(p in data.lower() for p in WAF_PHRASES_EN)


def _has_real_text(status: int, zone: bytes) -> bool:
    """A 2xx page with visible text beyond a challenge's few words (scripts, tags, spaces removed)."""
    return 200 <= status < 300 and len(_INVISIBLE.sub(b"", zone)) >= REAL_TEXT


def _vendor_block(status: int, hdrs: dict[str, list[str]], marker_zone: bytes, head: bytes) -> str | None:
    """The CDN/WAF vendor whose challenge this is, from body, header and cookie markers."""
    cookies = "; ".join(hdrs.get("set-cookie", []))
    challenge_status = status in CHALLENGE_STATUSES
    if _has_real_text(status, marker_zone):
        marker_zone = head = b""  # vendor scripts injected into a real page are not a challenge
    if b"$_ts" in marker_zone:
        return RUISHU
    if _RUISHU_META.search(marker_zone) and (status == 412 or _RUISHU_SCRIPT.search(marker_zone)):
        return RUISHU
    if status == 412 and _RUISHU_COOKIE.search(cookies):
        return RUISHU
    if status == 521 or b"__jsluid" in marker_zone or b"__jsl_clearance" in marker_zone:
        return JIASULE
    if challenge_status and ("x-via-jsl" in hdrs or "__jsluid" in cookies or "__jsl_clearance" in cookies):
        return JIASULE
    if b"EO_Bot_Ssid" in marker_zone or b"WTKkN" in head:
        return EDGEONE
    if challenge_status and "EO_Bot_Ssid" in cookies:
        return EDGEONE
    if any("wzwsre" in value.lower() for value in hdrs.get("location", [])):
        return WZWS
    if _WZWS_BODY.search(marker_zone) or (challenge_status and "wzws_cid" in cookies):
        return WZWS
    return None


def detect_block(
    status: int, headers: Mapping[str, str], body: bytes, *, expect_html: bool = True
) -> str | None:
    """Classify a response as an anti-bot/WAF block page; None when it looks like a real response.

    ``headers`` may be a plain mapping or Scrapy ``Headers`` (bytes keys, list values); names are
    matched case-insensitively.  ``body`` may be GBK or UTF-8.  ``expect_html`` is False for
    attachment fetches, where a small body is normal.  Never raises.
    """
    status_code = _as_status(status)
    data = _as_bytes(body)
    if data[:64].lstrip().startswith(_DOC_MAGIC):
        return None
    hdrs = _header_map(headers)
    head = data[:HEAD_LIMIT]
    vendor = _vendor_block(status_code, hdrs, data[:MARKER_LIMIT], head)
    if vendor:
        return vendor
    content_type = " ".join(hdrs.get("content-type", [])).lower()
    is_html = "html" in content_type or bool(_HTML_SNIFF.search(head[:2048]))
    if not (is_html or expect_html):
        return None
    if 200 <= status_code < 300 or status_code in WAF_STATUSES:
        title = _TITLE.search(head)
        if (len(data) < SMALL_PAGE and _has_waf_phrase(head)) or (title and _has_waf_phrase(title[1])):
            return WAF
    if (
        expect_html
        and status_code == 200
        and len(data) < TINY_PAGE
        and "location" not in hdrs
        and not _REDIRECT.search(data)
    ):
        return TINY
    return None


# -- 200 pages that are not the page asked for ------------------------------------------------
SOFT_404 = "soft404"
_SOFT_404_TITLE = re.compile(
    r"404|页面不存在|页面未找到|找不到(?:该)?页面|页面已删除|信息不存在|文章不存在|内容不存在"
)
# in a small page's text: the page itself is missing (信息不存在 alone is a reply category of the
# report's own Table 三, never a sign)
_SOFT_404_BODY = re.compile(
    r"(?:您|你)所?(?:要)?(?:访问|请求|查看|浏览|打开)的(?:页面|网页|链接)(?:不存在|已被?删除|未找到|找不到|已失效)"
    r"|(?:页面|网页)(?:不存在|未找到|找不到)|404\s*Not\s*Found",
    re.I,
)
_CAPTCHA = re.compile(r"验证码|captcha", re.I)
_PASSWORD = re.compile(r"""<input[^>]+type\s*=\s*["']?password""", re.I)
_LOGIN_TITLE = re.compile(r"登录|登陆|login|sign\s*in", re.I)
_INPUT = re.compile(r"<input\b", re.I)


def detect_soft_failure(status: int, body: str) -> str | None:
    """A 2xx HTML page that is not the page asked for: ``soft404`` (a "页面不存在" page served
    with 200), ``captcha`` (a 验证码 form) or ``login`` (a password form), else None.

    Strict, because every portal page links 用户登录 and some mention 验证码 in a footer: the
    title decides, or for a small page (< 8 KB of HTML) its visible text; a big page with real
    content is never one of them.  ``body`` is the decoded HTML.
    """
    if not 200 <= _as_status(status) < 300 or not body:
        return None
    m = re.search(r"<title[^>]*>(.*?)</title", body[:HEAD_LIMIT], re.I | re.S)
    title = (m.group(1) if m else "").strip()
    small = len(body.encode("utf-8", "ignore")) < SMALL_PAGE
    text = (
        re.sub(
            r"<[^>]*>|\s+",
            " ",
            re.sub(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>", " ", body, flags=re.S | re.I),
        )
        if small
        else ""
    )
    if _SOFT_404_TITLE.search(title) or (small and _SOFT_404_BODY.search(text)):
        return SOFT_404
    if _PASSWORD.search(body[:MARKER_LIMIT]) and (_LOGIN_TITLE.search(title) or small):
        return LOGIN
    if (_CAPTCHA.search(title) or (small and _CAPTCHA.search(text))) and _INPUT.search(body[:MARKER_LIMIT]):
        return CAPTCHA
    return None
