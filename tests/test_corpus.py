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


def test_defect_and_pair_labels_are_checked():
    from tests.corpus.corpus import Case

    base = {
        "id": "zz-0001",
        "source": {"url": "http://example.gov.cn/a.html", "via": "pages"},
        "kind": "excerpt",
        "text": "x",
        "labels": {"is_annual_report": True},
        "label_notes": {},
    }

    def check(labels: dict, notes: dict) -> list[str]:
        data = {**base, "labels": {**base["labels"], **labels}, "label_notes": notes}
        return problems(Case(Path("zz-0001.json"), data), "reports")

    assert check({"defects": {"Q3": True}}, {"defects": {"Q3": "Q3: reads only 无"}}) == []
    assert check({"defects": {"Q9": True}}, {"defects": {"Q9": "?"}})
    assert check({"defects": {"Q3": "yes"}}, {"defects": {"Q3": "n"}})
    assert check({"defects": {"Q3": False}}, {})
    assert check({"copies": [{"of": "zz-0002", "note": "shared paragraphs"}]}, {}) == []
    assert check({"copies": [{"of": "zz-0002"}]}, {})
    assert check({"copies": [{"of": "zz-0001", "note": "self"}]}, {})
    both = [{"of": "zz-0002", "note": "n"}]
    assert check({"copies": both, "not_copies": both}, {})
