"""Docs as tests: every command and every nianbao setting is documented in the README."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import click
import pytest

from crawler import settings
from crawler.cli import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "nianbao") -> list[str]:
    out = []
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out.extend(commands(cmd, f"{prefix} {name}"))
        else:
            out.append(f"{prefix} {name}")
    return out


@pytest.mark.parametrize("command", commands(cli))
def test_every_command_is_in_the_readme(command):
    assert f"`{command}" in README, f"{command} is not documented in README.md"


@pytest.mark.parametrize("name", [n for n in dir(settings) if n.startswith("NIANBAO_")])
def test_every_nianbao_setting_is_in_the_readme(name):
    stem = re.sub(r"_(BASE|MAX)$", "", name)
    assert name in README or stem in README, f"{name} is not documented in README.md"


def test_readme_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.+?)\n```", quick, re.S)
    assert len(blocks) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1].strip() in ci


def cli_reference():
    """docs/cli_reference.py as a module (docs/ is not a package)."""
    spec = importlib.util.spec_from_file_location("cli_reference", ROOT / "docs" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_command_reference_is_generated_from_help():
    reference = cli_reference()
    assert reference.readme_block(README) == reference.render(), (
        "README.md's command reference is out of date: run python docs/cli_reference.py --write"
    )


def test_command_reference_covers_every_command():
    rendered = cli_reference().render()
    headings = set(re.findall(r"^### `(nianbao[^`]*)`$", rendered, re.M))
    groups = [f"nianbao {name}" for name, cmd in cli.commands.items() if isinstance(cmd, click.Group)]
    assert headings == {"nianbao", *commands(cli), *groups}


def test_command_reference_does_not_depend_on_the_terminal(monkeypatch):
    reference = cli_reference()
    before = reference.render()
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("NIANBAO_DATA", "/elsewhere")
    assert reference.render() == before
    assert "Usage: nianbao crawl [OPTIONS]" in before and "python -m" not in before


def test_changelog_has_an_unreleased_section():
    assert "## Unreleased" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_the_bad_input_catalogue_cites_only_tests_that_exist():
    """docs/bad-input.md (issue 13): at least 60 rows, each naming a test that exists."""
    import ast

    text = (ROOT / "docs" / "bad-input.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("|") and "tests/test_" in line]
    assert len(rows) >= 60, len(rows)
    defined: dict[str, set[str]] = {}
    missing = []
    for row in rows:
        for path, name in re.findall(r"(tests/test_\w+\.py)::(test_\w+)", row):
            if path not in defined:
                tree = (
                    ast.parse((ROOT / path).read_text(encoding="utf-8")) if (ROOT / path).is_file() else None
                )
                defined[path] = (
                    {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)} if tree else set()
                )
            if name not in defined[path]:
                missing.append(f"{path}::{name}")
    assert missing == []
    assert all(re.search(r"tests/test_\w+\.py::test_\w+", row) for row in rows)
