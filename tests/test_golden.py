"""Golden pages: ``parse_page`` of every saved page equals its reviewed JSON.

Regenerate with ``python -m tests.golden.regen`` after a deliberate parser change, then read
the diff of every JSON file before keeping it.
"""

from __future__ import annotations

import difflib

import pytest

from tests.golden.regen import cases, render

CASES = cases()


def test_there_are_golden_pages_for_every_family():
    families = {case_id.split("/")[0] for case_id, _, _ in CASES}
    assert {"trs", "trs6", "hanweb", "plain"} <= families


@pytest.mark.parametrize(("case_id", "page", "url"), CASES, ids=[c[0] for c in CASES])
def test_golden_page(case_id, page, url):
    expected_file = page.with_suffix(".json")
    assert expected_file.exists(), f"{case_id}: no JSON; run python -m tests.golden.regen and review it"
    expected = expected_file.read_text(encoding="utf-8")
    actual = render(page, url)
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{case_id}.json (expected)",
                tofile=f"{case_id} (parsed)",
            )
        )
        pytest.fail(f"{case_id} differs from its golden JSON:\n{diff}")
