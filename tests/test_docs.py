"""The documentation's examples run: every ```python block of README.md and docs/*.md.

Illustrative fragments that cannot run on their own are fenced as ```py instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks():
    for path in DOCS:
        for i, m in enumerate(BLOCK.finditer(path.read_text())):
            yield pytest.param(m.group(1), id=f"{path.name}-{i}")


@pytest.mark.parametrize("code", list(blocks()))
def test_doc_example_runs(code, capsys):
    exec(compile(code, "<doc>", "exec"), {"__name__": "__doc_example__"})


DOCTEST_MODULES = ["serverless_sim.cloud", "serverless_sim.dynamodb.native"]


@pytest.mark.parametrize("name", DOCTEST_MODULES)
def test_module_doctests(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
