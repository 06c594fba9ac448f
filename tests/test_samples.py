"""The labelled sample set (tests/samples/reports/, a copy of ../shared/samples/reports/: 37 real
report excerpts, 9 look-alikes)
through ``nianbao parse FILE --json``: every labelled field must match.

Each sample's ``text`` is saved as a ``.txt`` file (so the text path of ``parse`` reads it, not
the HTML one) and parsed in-process. For a look-alike only ``is_annual_report`` is compared; for
a report, ``report_year``, ``agency`` (exact string) and ``format`` are compared even when the
label is null (null means the excerpt does not state it, so nothing may be invented), and each
key of ``numbers`` against ``stats``. Approximate numbers (637余条) are never labelled and must
not come out as exact.

``python tests/test_samples.py`` prints per-field accuracy of the same fields computed directly
from the recognisers (:func:`direct_fields`), for development.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

# A copy of ../shared/samples/reports/ (public web-page excerpts with labels), kept in the
# repository so the acceptance test runs wherever the tests run.
SAMPLES = Path(__file__).resolve().parent / "samples" / "reports"
FIELDS = ("is_annual_report", "report_year", "agency", "format")


def _samples() -> list[Path]:
    return sorted(SAMPLES.glob("*.json"))


def test_the_whole_sample_set_is_here():
    assert len(_samples()) == 46


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def mismatches(expected: dict[str, Any], got: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Labelled fields whose value differs: {field: (expected, got)}; numbers as ``numbers.<key>``."""
    out: dict[str, tuple[Any, Any]] = {}
    fields = FIELDS if expected["is_annual_report"] else ("is_annual_report",)
    for name in fields:
        if got.get(name) != expected[name]:
            out[name] = (expected[name], got.get(name))
    if expected["is_annual_report"]:
        stats = got.get("stats") or {}
        for key, value in expected["numbers"].items():
            if stats.get(key) != value:
                out[f"numbers.{key}"] = (value, stats.get(key))
    return out


@pytest.mark.parametrize("path", _samples(), ids=lambda p: p.stem)
def test_sample_through_parse(path, tmp_path):
    from crawler.cli import cli

    sample = _load(path)
    file = tmp_path / f"{path.stem}.txt"
    file.write_text(sample["text"], encoding="utf-8")
    result = CliRunner().invoke(cli, ["parse", str(file), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert mismatches(sample["expected"], got) == {}, sample.get("notes")


# -- development: the same fields straight from the recognisers ------------------------------
def direct_fields(text: str) -> dict[str, Any]:
    """is_annual_report, report_year, agency, format and stats as ``parse`` should give them,
    computed from the recognisers (format and table numbers only once crawler.stats.tables exists)."""
    from crawler.extract.cleaning import clean_text
    from crawler.recognize.report_text import recognize_report
    from crawler.stats.prose import narrative_numbers
    from crawler.vocab.words import HEADLINE

    clean = clean_text(text).text
    facts = recognize_report(clean)
    fields: dict[str, Any] = {
        "is_annual_report": facts.is_report,
        "report_year": facts.year,
        "agency": facts.agency,
        "format": None,
        "stats": {},
    }
    if not facts.is_report:
        return fields
    try:
        from crawler.stats import analyse

        analysis = analyse(clean, None, year=facts.year)
        fields["format"], fields["stats"] = analysis.format, analysis.stats
        return fields
    except ImportError:  # crawler.stats not complete yet: combine what exists as analyse() does
        pass
    quantities = narrative_numbers(clean)
    stats = {k: None if (q := quantities.get(k)) is None or q.approximate else q.value for k in HEADLINE}
    try:
        from crawler.stats.tables import detect_format, headline, parse_tables
    except ImportError:
        fields["format"], fields["stats"] = "n/a", stats
        return fields
    fmt = detect_format(clean, None)
    tables = parse_tables(clean, None, fmt)
    from_tables = headline(tables) if tables.found() else {}
    stats.update({k: v for k, v in from_tables.items() if k in HEADLINE and v is not None})
    fields["format"] = fmt or ("freeform" if facts.year is not None and facts.year <= 2018 else None)
    fields["stats"] = stats
    return fields


def accuracy() -> tuple[dict[str, list[int]], dict[str, dict[str, tuple[Any, Any]]]]:
    """Per field [right, labelled] over the sample set, and each sample's mismatches."""
    per_field: dict[str, list[int]] = {}
    wrong: dict[str, dict[str, tuple[Any, Any]]] = {}
    for path in _samples():
        sample = _load(path)
        expected = sample["expected"]
        got = direct_fields(sample["text"])
        bad = mismatches(expected, got)
        if got["format"] == "n/a":
            bad.pop("format", None)
        names = list(FIELDS if expected["is_annual_report"] else ("is_annual_report",))
        names += [f"numbers.{k}" for k in expected["numbers"]] if expected["is_annual_report"] else []
        for name in names:
            if name == "format" and got["format"] == "n/a":
                continue
            tally = per_field.setdefault(name, [0, 0])
            tally[1] += 1
            tally[0] += name not in bad
        if bad:
            wrong[path.stem] = bad
    return per_field, wrong


if __name__ == "__main__":
    fields, wrong = accuracy()
    print(f"{'field':<36} right / labelled")
    for name, (right, total) in fields.items():
        print(f"{name:<36} {right:>3} / {total:<3} {100 * right / total:5.1f} %")
    for stem, bad in wrong.items():
        print(stem, bad)
