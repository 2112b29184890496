"""The conformance script's own logic (classification, report), without the Alternator suite."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "conformance" / "run_alternator.py"
spec = importlib.util.spec_from_file_location("run_alternator", SCRIPT)
run_alternator = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_alternator)


def test_classify():
    c = run_alternator.classify
    assert c("t::test_x", "E   Failed: DID NOT RAISE <class 'ClientError'>") == "missing validation (no error raised)"
    assert c("t::test_x", "Legacy parameter Expected is not supported by serverless_sim").startswith("missing feature: legacy")
    assert c("test_streams.py::test_x", "anything") == "missing feature: DynamoDB Streams"
    assert c("t::test_x", "AssertionError: Regex pattern did not match.") == "wrong message"
    assert c("t::test_x", "TimeoutError: test exceeded") == "timeout"
    assert c("t::test_x", "assert 1 == 2") == "behaviour differs"


def test_report_shape():
    results = {
        "test/alternator/test_a.py::test_1": {"outcome": "passed", "message": ""},
        "test/alternator/test_a.py::test_2": {"outcome": "failed", "message": "E   Failed: DID NOT RAISE"},
        "test/alternator/test_b.py::test_1": {"outcome": "skipped", "message": "Scylla-only"},
    }
    text = run_alternator.report({"sim": {"results": results, "seconds": 1.0}}, Path("."), "abc")
    assert "| serverless_sim | 2 | 1 | 1 | 0 | 1 | **50%** |" in text
    assert "| test_a.py | 1/2 | 50% |" in text
    assert "test_a.py::test_2" in text
