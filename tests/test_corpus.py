"""The real-world corpus is well-formed, carries its provenance, and holds no reserved case."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.corpus.corpus import load, problems, split_key, split_of

ROOT = Path(__file__).resolve().parents[1]
RESERVED = ROOT.parent / "shared" / "eval"


@pytest.mark.parametrize("kind", ["reports", "listings"])
def test_every_case_is_well_formed(kind):
    bad = {c.id: p for c in load(kind) if (p := problems(c, kind))}
    assert bad == {}


def test_ids_are_unique():
    ids = [c.id for kind in ("reports", "listings") for c in load(kind)]
    assert len(ids) == len(set(ids))


@pytest.mark.skipif(not (RESERVED / "reserved.py").is_file(), reason="../shared/eval/reserved.py is not here")
def test_no_case_is_reserved_for_independent_evaluation():
    sys.path.insert(0, str(RESERVED))
    try:
        from reserved import is_reserved
    finally:
        sys.path.remove(str(RESERVED))
    keys = []
    for kind in ("reports", "listings"):
        for case in load(kind):
            src = case.data["source"]
            if src.get("url"):
                keys.append(src["url"])
            if src.get("repo") and src.get("path"):
                keys.append(f"repo:{src['repo']}:{src['path']}")
    assert [k for k in keys if is_reserved(k)] == []


def test_the_split_is_by_body():
    """Every body (labelled agency, else the case's ``body``) has all its cases on one side,
    held-out batches included."""
    by_body: dict[str, set[str]] = {}
    for case in load("reports") + load("listings"):
        key = split_key(case.data)
        if not key.startswith("host:"):
            by_body.setdefault(key, set()).add(split_of(case.data))
    assert {k: v for k, v in by_body.items() if len(v) > 1} == {}


def test_dev_holds_at_least_three_cases_in_ten():
    reports = load("reports")
    assert sum(split_of(c.data) == "dev" for c in reports) >= 0.30 * len(reports)
