"""Quality rules and copy detection held on the real corpus's labelled cases (bench/truth.py).

Labels are read from the material (tests/corpus/README.md: ``labels.defects``, ``labels.copies``,
``labels.not_copies``); these tests hold what the current code achieves on them, train and dev
together: Q1–Q6 never fail a case labelled as doing the item right, and compare() at the default
threshold finds every labelled copy whose two texts are complete (neither case is an
``excerpt_cut``: a cut excerpt holds too little of a report to say how much of it is reused).
"""

from __future__ import annotations

import pytest

from tests.corpus.corpus import load
from tests.corpus.evaluate import score_copies, score_defects


@pytest.fixture(scope="module")
def reports():
    return load("reports")


def _complete(case) -> bool:
    return "excerpt_cut" not in (case.data.get("traits") or [])


def test_enough_defect_and_copy_labels(reports):
    labels = sum(len(c.data["labels"].get("defects") or {}) for c in reports)
    true = sum(sum((c.data["labels"].get("defects") or {}).values()) for c in reports)
    copies = sum(len(c.data["labels"].get("copies") or []) for c in reports)
    assert labels >= 200 and true >= 10 and copies >= 20


def test_quality_rules_accuse_no_labelled_real_case(reports):
    rules = score_defects([c for c in reports if c.data["labels"].get("defects")])
    accused = {r: t.accusations for r, t in rules.items() if r.startswith("Q") and t.accusations}
    assert accused == {}
    assert sum(t.decided for r, t in rules.items() if r.startswith("Q")) >= 50


def test_copy_detection_finds_every_complete_labelled_copy(reports):
    by_id = {c.id: c for c in reports}
    labelled = [c for c in reports if c.data["labels"].get("copies")]
    found = score_copies(labelled, reports)["copies"]
    complete = [p for p in found.pairs if _complete(by_id[p[0]]) and _complete(by_id[p[1]])]
    assert len(complete) >= 20
    assert [p for p in complete if p not in found.flagged] == []


def test_every_pair_label_names_a_report_case(reports):
    ids = {c.id for c in reports}
    named = [
        p["of"] for c in reports for k in ("copies", "not_copies") for p in c.data["labels"].get(k) or []
    ]
    assert named and set(named) <= ids
