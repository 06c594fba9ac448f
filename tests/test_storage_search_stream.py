"""Merging newest-first rowid streams: AND, OR and NOT with early stop."""

from __future__ import annotations

import pytest

from storage.search_stream import _except, _intersect, _union, bm25_tf


def desc(*values: int):
    return iter(sorted(values, reverse=True))


@pytest.mark.parametrize(
    ("a", "b", "anded", "ored", "a_not_b"),
    [
        ((9, 7, 5, 3, 1), (8, 7, 3, 2), [7, 3], [9, 8, 7, 5, 3, 2, 1], [9, 5, 1]),
        ((5, 4), (), [], [5, 4], [5, 4]),
        ((100,), (100,), [100], [100], []),
        ((6, 4, 2), (5, 3, 1), [], [6, 5, 4, 3, 2, 1], [6, 4, 2]),
    ],
)
def test_merges(a, b, anded, ored, a_not_b):
    assert list(_intersect([desc(*a), desc(*b)])) == anded
    assert list(_union([desc(*a), desc(*b)])) == ored
    assert list(_except(desc(*a), desc(*b))) == a_not_b


def test_three_way_intersection_and_early_stop():
    consumed = []

    def watched(values):
        for v in sorted(values, reverse=True):
            consumed.append(v)
            yield v

    merged = _intersect([watched(range(0, 1000, 2)), desc(*range(0, 1000, 3)), desc(*range(0, 1000, 5))])
    assert next(merged) == 990 and next(merged) == 960
    assert len(consumed) < 30  # the streams were not read to the end


def test_bm25_tf_prefers_denser_shorter_texts():
    scores = bm25_tf({1: "复议" * 5 + "其他" * 10, 2: "复议" + "其他" * 10, 3: "没有"}, ["复议"])
    assert scores[1] > scores[2] > scores[3] == 0.0
