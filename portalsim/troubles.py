"""Anti-bot block pages and the transient troubles of the simulated portals (portals.md §5).

Blocked sites (part of the world's truth, served whatever ``troubles`` says) answer every URL
with the same challenge: Ruishu ``412`` with ``$_ts``, Jiasule ``521`` setting ``__jsluid_s``,
or a WAF ``200`` "请稍候 / 安全验证" page.  Transient troubles (only with ``troubles=True``) are
decided per URL from a stable hash: a 5xx burst for the first 1–2 requests of a URL in the
server's life, or a slow answer.
"""

from __future__ import annotations

import threading

from portalsim.rng import h64, rng, unit


def block_response(seed: int, slug: str, block: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of the challenge a blocked site answers to every request."""
    r = rng(seed, "block", slug)
    token = "".join(
        r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._") for _ in range(180)
    )
    if block == "ruishu":
        meta_id = "".join(r.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(12))
        junk = ";".join(f"_$x{k}=_$x{(k * 7) % 23}[{r.randint(0, 99)}]" for k in range(40))
        body = (
            f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f'<meta id="{meta_id}" content="{token}{token[:120]}" r="m">'
            f"<script type=\"text/javascript\" r=\"m\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={{}};"
            f'$_ts.nsd={r.randint(10000, 99999)};$_ts.cd="{token}";</script>'
            f'<script type="text/javascript" charset="utf-8" src="/{slug}/{token[:10]}.js" r="m"></script>'
            f"<script>(function(){{var {junk};}})();</script></head><body></body></html>"
        )
        cookie = f"{token[:10]}80S={token[10:60]}; Path=/; HttpOnly"
        return (
            412,
            {"Content-Type": "text/html; charset=utf-8", "Server": "nginx", "Set-Cookie": cookie},
            (body.encode("utf-8")),
        )
    if block == "jiasule":
        clue = token[:32]
        body = (
            f"<html><body><script>document.cookie=('__jsluid_s={clue}')+';max-age=3600;path=/';"
            f"location.href=location.pathname+location.search</script></body></html>"
        )
        headers = {
            "Content-Type": "text/html",
            "Server": "jiasule-WAF",
            "X-Via-JSL": f"{token[40:47]},-",
            "Set-Cookie": f"__jsluid_s={clue}; max-age=31536000; path=/; HttpOnly",
        }
        return 521, headers, body.encode("utf-8")
    body = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证</title></head><body>'
        '<div class="waf"><h3>访问异常，请稍候……</h3><p>您的访问需要进行安全验证，请开启JavaScript后刷新页面。</p>'
        f"<p>事件编号：{token[:24]}</p></div></body></html>"
    )
    return 200, {"Content-Type": "text/html; charset=utf-8", "Server": "WAF/2.0"}, body.encode("utf-8")


class Troubles:
    """Per-URL transient troubles, deterministic from the seed, counted per server life."""

    def __init__(self, seed: int, enabled: bool) -> None:
        self.seed = seed
        self.enabled = enabled
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def burst_status(self, target: str) -> int | None:
        """503/502 while the URL is inside its 5xx burst, else None."""
        if not self.enabled:
            return None
        x = unit(self.seed, "burst", target)
        if x >= 0.03:
            return None
        length = 1 + h64(self.seed, "burst-length", target) % 2
        with self._lock:
            count = self._seen.get(target, 0) + 1
            self._seen[target] = count
        if count > length:
            return None
        return 502 if x < 0.01 else 503

    def delay(self, target: str) -> float:
        """Seconds to wait before answering (0 for most URLs)."""
        if not self.enabled or unit(self.seed, "slow", target) >= 0.01:
            return 0.0
        return 1.0 + 1.5 * unit(self.seed, "slow-length", target)
