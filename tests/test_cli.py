"""The nianbao CLI: exit codes, error messages, and the commands that need no crawl."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from crawler.cli import cli

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args))


def test_sources_validate_default_registry(run):
    result = run("sources", "validate")
    assert result.exit_code == 0 and result.output.startswith("ok: ")


def test_sources_validate_reports_file_source_and_field(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[source]]\nid = "x1"\nagency = "某县人民政府"\nlevel = "county"\nkind = "region"\n'
        'urls = ["ftp://example.gov.cn/nb/"]\ncolour = "red"\n',
        encoding="utf-8",
    )
    result = run("sources", "validate", str(bad))
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "'x1'" in result.output
    assert "urls" in result.output and "colour" in result.output


def test_sources_list_shows_enabled_only_unless_all(run):
    enabled = run("sources", "list", "--json").output.splitlines()
    everything = run("sources", "list", "--all", "--json").output.splitlines()
    assert 0 < len(enabled) < len(everything)
    assert all(json.loads(line)["enabled"] for line in enabled)


@pytest.mark.parametrize(
    "args, message",
    [
        (("crawl", "no-such-source"), "no-such-source"),
        (("crawl", "--years", "2025-2019"), "empty"),
        (("crawl", "--years", "last year"), "--years"),
    ],
)
def test_crawl_configuration_errors_exit_2(run, args, message, tmp_path):
    result = run(*args, "--data", str(tmp_path))
    assert result.exit_code == 2 and message in result.output


def test_read_commands_on_a_missing_archive_exit_2(run, tmp_path):
    for command in ("verify", "status"):
        result = run(command, "--data", str(tmp_path / "none"))
        assert result.exit_code == 2 and "no archive" in result.output


def test_parse_json_matches_golden(run):
    page = GOLDEN / "trs" / "column.html"
    url = (GOLDEN / "trs" / "column.url").read_text().strip()
    result = run("parse", str(page), "--url", url, "--json")
    assert result.exit_code == 0
    parsed = json.loads(result.output)
    assert parsed.pop("extraction")["file_type"] == "html"
    assert parsed == json.loads((GOLDEN / "trs" / "column.json").read_text(encoding="utf-8"))


def test_sim_truth_and_sources_agree(run):
    truth = json.loads(run("sim", "truth", "--seed", "3", "--agencies", "5", "--today", "2025-04-10").output)
    registry = run(
        "sim", "sources", "--seed", "3", "--agencies", "5", "--base-url", "http://127.0.0.1:9"
    ).output
    assert {t["source"] for t in truth} == {
        line.split('"')[1] for line in registry.splitlines() if line.startswith("id = ")
    }


def test_demo_never_empties_a_directory_it_did_not_make(tmp_path):
    from crawler.demo import MARKER, fresh_dir

    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "archive.db").write_bytes(b"precious")
    with pytest.raises(click.ClickException, match="not made by"):
        fresh_dir(archive)
    assert (archive / "archive.db").read_bytes() == b"precious"
    demo = fresh_dir(tmp_path / "demo")
    (demo / "archive.db").write_bytes(b"old demo")
    assert not (fresh_dir(demo) / "archive.db").exists() and (demo / MARKER).exists()


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ("config", 2),
        ("missing", 2),
        ("archive", 1),
        ("other", 1),
    ],
)
def test_project_errors_become_one_line_and_an_exit_code(error, code):
    """The one mapping (crawler.cli.errors): no traceback, ``nianbao: <message>``, 2 for
    configuration and a missing archive, 1 for every other project error; nested groups too."""
    from crawler.cli.errors import NianbaoGroup
    from crawler.vocab.errors import ArchiveError, ArchiveMissing, ConfigError, NianbaoError

    errors = {
        "config": ConfigError("bad value", source="s1", field="urls"),
        "missing": ArchiveMissing("no archive at x/archive.db"),
        "archive": ArchiveError("record torn"),
        "other": NianbaoError("went wrong"),
    }

    @click.group(cls=NianbaoGroup)
    def top() -> None: ...

    @top.group()
    def sub() -> None: ...

    @sub.command()
    def boom() -> None:
        raise errors[error]

    result = CliRunner().invoke(top, ["sub", "boom"])
    assert result.exit_code == code
    assert result.output.strip() == f"nianbao: {errors[error]}"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_bug_is_not_turned_into_a_usage_error():
    """Only project errors are mapped: a programming error still surfaces as itself."""
    from crawler.cli.errors import NianbaoGroup

    @click.group(cls=NianbaoGroup)
    def top() -> None: ...

    @top.command()
    def bug() -> None:
        raise KeyError("oops")

    result = CliRunner().invoke(top, ["bug"])
    assert isinstance(result.exception, KeyError) and result.exit_code == 1
