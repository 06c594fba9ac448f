"""Rewrite the golden inputs and their expected texts: ``python tests/golden_text/regen.py``.

Review the diff of the ``.txt`` files before keeping it: they are what the extractors promise.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from crawler.extract import extract_bytes  # noqa: E402
from tests.golden_text.make import GOLDEN  # noqa: E402


def main() -> None:
    """Build every golden input, extract it, write ``<name>`` and ``<name>.txt``."""
    for name, build in GOLDEN.items():
        data = build()
        (HERE / name).write_bytes(data)
        result = extract_bytes(data, url=f"https://example.gov.cn/{name}")
        assert result.status == "ok", (name, result.status, result.error)
        (HERE / f"{name}.txt").write_text(result.text + "\n", encoding="utf-8")
        print(f"{name}: {result.extractor} {len(result.text)} chars, {len(result.tables)} tables")


if __name__ == "__main__":
    main()
