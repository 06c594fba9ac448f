"""Store pipeline: a source's status from its listing captures."""

from __future__ import annotations

from collections import Counter

import pytest

from crawler.pipelines.store import source_status


@pytest.mark.parametrize(
    ("counts", "reports", "status"),
    [
        ({"ok": 3}, 5, "ok"),
        ({"ok": 2}, 0, "empty"),
        ({"ok": 1, "blocked:ruishu": 4, "http:503": 2}, 3, "partial"),  # a walk cut short proves nothing
        ({"ok": 1, "blocked:waf": 1}, 0, "partial"),
        ({"blocked:ruishu": 2, "blocked:waf": 1}, 0, "blocked:ruishu"),
        ({"error:DownloadTimeoutError": 1}, 0, "unreachable:timeout"),
        (
            {"error:DownloadConnectionRefusedError": 3, "error:DownloadTimeoutError": 1},
            0,
            "unreachable:refused",
        ),
        ({"error:DNSLookupError": 1}, 0, "unreachable:dns"),
        ({"error:SSLError": 1}, 0, "unreachable:tls"),
        ({"error:ResponseNeverReceived": 1}, 0, "unreachable:lost"),
        ({"http:503": 2}, 0, "unreachable:http-503"),
        ({"robots": 1}, 0, "unreachable:robots"),
        ({"error:ValueError": 1}, 0, "unreachable:error"),
        ({}, 0, "unreachable"),
    ],
)
def test_source_status(counts, reports, status):
    assert source_status(Counter(counts), reports)[0] == status
