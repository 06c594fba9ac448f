"""The system tools some tests need, detected in one place.

Tesseract with the ``chi_sim`` model (OCR), LibreOffice ``soffice`` (DOC/WPS), ``chromium`` (the
report's browser tests) and the WenQuanYi Micro Hei font (draws the test scans) are Debian
packages: ``.ci/run`` installs them, a fresh machine may not have them. A test that needs one is
marked (``@requires_tesseract`` …, handled in ``tests/conftest.py``) or calls :func:`require`
(:func:`have` for a test that only asserts more with the tool) and then

- **skips**, with the reason, when the tool is missing;
- **fails** instead when ``NIANBAO_REQUIRE_TOOLS=1`` (every tool) or, for Chromium,
  ``NIANBAO_REQUIRE_BROWSER=1`` or ``CI`` is set, so CI cannot skip them silently.

Detection is independent of the code under test (a broken detector there must not turn the
tests into skips). ``python -m tests.tools`` prints what this machine has.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from tests.golden_text.make import FONT

TESSERACT_LANGS = ("chi_sim", "eng")  # what crawler.extract.ocr runs with (chi_sim+eng)

_ALL = "NIANBAO_REQUIRE_TOOLS"
_BROWSER = ("NIANBAO_REQUIRE_BROWSER", "CI")


def _tesseract() -> str | None:
    exe = shutil.which("tesseract")
    if exe is None:
        return "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"tesseract does not run: {exc}"
    # "List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (3):" then one per line
    langs = {line.strip() for line in (out.stdout + out.stderr).splitlines()}
    missing = [lang for lang in TESSERACT_LANGS if lang not in langs]
    if missing:
        return (
            f"tesseract has no {'+'.join(missing)} model in `tesseract --list-langs` "
            "(apt-get install tesseract-ocr-chi-sim)"
        )
    return None


def soffice_path() -> str | None:
    """The LibreOffice binary, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _soffice() -> str | None:
    if soffice_path() is None:
        return "LibreOffice (soffice) is not installed (apt-get install libreoffice-writer-nogui)"
    return None


def chromium_path() -> str | None:
    """The system Chromium the browser tests drive, if installed."""
    return shutil.which("chromium")


def _chromium() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if chromium_path() is None:
        return "Chromium is not installed (apt-get install chromium; .ci/run installs it)"
    return None


def _cjk_font() -> str | None:
    if not Path(FONT).is_file():
        return f"fonts-wqy-microhei is not installed ({FONT}; needed to draw the test scans)"
    return None


_DETECT: dict[str, Callable[[], str | None]] = {
    "tesseract": _tesseract,
    "soffice": _soffice,
    "chromium": _chromium,
    "cjk_font": _cjk_font,
}


@cache
def missing(tool: str) -> str | None:
    """None when ``tool`` is usable here, else why not."""
    return _DETECT[tool]()


def _set(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def required_by(tool: str) -> str | None:
    """The environment variable that makes ``tool`` mandatory (missing → fail), if one is set."""
    names = (_ALL, *_BROWSER) if tool == "chromium" else (_ALL,)
    return next((name for name in names if _set(name)), None)


def skippable(tool: str) -> bool:
    """Missing, and no switch makes it mandatory: tests needing it skip."""
    return missing(tool) is not None and required_by(tool) is None


def fail_if_required(*tools: str) -> None:
    """Fail the running test if one of the tools is missing but required."""
    for tool in tools:
        reason, switch = missing(tool), required_by(tool)
        if reason and switch:
            pytest.fail(f"{reason}; {switch} is set, so this test must run", pytrace=False)


def require(*tools: str) -> None:
    """Skip the running test (fail it when the tool is required) unless every tool is there."""
    fail_if_required(*tools)
    for tool in tools:
        if reason := missing(tool):
            pytest.skip(reason)


def have(tool: str) -> bool:
    """For a test that asserts more when the tool is there. Missing and required: fail."""
    fail_if_required(tool)
    return missing(tool) is None


def _marker(*tools: str) -> pytest.MarkDecorator:
    unknown = set(tools) - set(_DETECT)
    assert not unknown, unknown
    return pytest.mark.requires_tool(*tools)


requires_tesseract = _marker("tesseract")
requires_soffice = _marker("soffice")
requires_chromium = _marker("chromium")
requires_cjk_font = _marker("cjk_font")


def summary() -> str:
    return ", ".join(f"{tool} {'yes' if missing(tool) is None else 'NO'}" for tool in _DETECT)


if __name__ == "__main__":
    for tool in _DETECT:
        print(f"{tool}: {missing(tool) or 'ok'}")
