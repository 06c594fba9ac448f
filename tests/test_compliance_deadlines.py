"""Deadlines and their legal basis (domain.md §1.4), table-driven across the year boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.compliance.deadlines import expected_deadline


@pytest.mark.parametrize(
    ("kind", "year", "override", "due", "basis"),
    [
        # 2008 Regulations: one date for every body, townships included
        ("region", 2008, None, date(2009, 3, 31), "492号 Art.31"),
        ("dept", 2008, None, date(2009, 3, 31), "492号 Art.31"),
        ("township", 2008, None, date(2009, 3, 31), "492号 Art.31"),
        ("dept", 2018, None, date(2019, 3, 31), "492号 Art.31"),
        ("township", 2018, "02-20", date(2019, 3, 31), "492号 Art.31"),  # a local rule cannot move 492号
        # 2019 is the first report year under 711号 Art. 49
        ("dept", 2019, None, date(2020, 1, 31), "711号 Art.49¶1"),
        ("region", 2019, None, date(2020, 3, 31), "711号 Art.49¶2"),
        ("township", 2019, None, date(2020, 1, 31), "local/default"),
        ("dept", 2020, None, date(2021, 1, 31), "711号 Art.49¶1"),
        ("dept", 2021, None, date(2022, 1, 31), "711号 Art.49¶1"),
        ("region", 2020, None, date(2021, 3, 31), "711号 Art.49¶2"),
        ("region", 2021, None, date(2022, 3, 31), "711号 Art.49¶2"),
        ("township", 2021, "02-20", date(2022, 2, 20), "source override"),
        ("dept", 2024, "01-28", date(2025, 1, 28), "source override"),
        ("township", 2022, "02-29", date(2023, 2, 28), "source override"),  # leap-day rule in a common year
        ("township", 2023, "02-29", date(2024, 2, 29), "source override"),
    ],
)
def test_deadline_and_basis(kind, year, override, due, basis):
    d = expected_deadline(kind, year, override=override)
    assert (d.due, d.basis) == (due, basis)


def test_township_default_is_a_setting():
    d = expected_deadline("township", 2024, township_default="02-20")
    assert (d.due, d.basis) == (date(2025, 2, 20), "local/default")
    assert "not named in 711号" in d.note


def test_2008_note_records_the_partial_first_year():
    assert "2008-05-01" in expected_deadline("dept", 2008).note
    assert expected_deadline("dept", 2009).note == ""
