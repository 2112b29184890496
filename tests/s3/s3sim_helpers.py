"""Shares the stub targets of tests/events/eventsim_helpers.py with the S3 tests."""

from __future__ import annotations

import pathlib
import sys

_EVENTS = str(pathlib.Path(__file__).resolve().parents[1] / "events")
if _EVENTS not in sys.path:
    sys.path.insert(0, _EVENTS)

from eventsim_helpers import register  # noqa: E402

__all__ = ["register"]
