"""The workload's JSON body (``_dumps``, one shared C encoder) writes exactly what
``json.dumps(value, sort_keys=True, default=str)`` writes."""

import json
import random

import pytest

from serverless_sim.sim.workloads import _dumps

CASES = [
    {}, {"id": "c123", "qty": 3}, {"qty": 3, "id": "c123"}, {"b": 1, "a": "é\"\n\t\\ \u2028 \U0001F600"},
    {"z": 10 ** 30, "a": -5, "m": 0}, {"k": ""}, {"\x00key": "v"},
    # not flat / not str-int: the encoder's path
    {"a": True}, {"a": None}, {"a": 1.5}, {"a": float("nan")}, {1: 2}, {"a": {"b": 1}}, {"a": [1, "x"]},
    {"a": b"bytes"}, {"a": 1, "b": 2.0}, [1, 2], "text", 3, None, ("t",),
]


@pytest.mark.parametrize("value", CASES, ids=range(len(CASES)))
def test_dumps_equals_json_dumps(value):
    assert _dumps(value) == json.dumps(value, sort_keys=True, default=str)


def test_dumps_int_subclasses_and_bools_take_the_general_path():
    import enum

    class N(enum.IntEnum):
        A = 1

    for v in ({"a": N.A}, {"a": False}, {"x": 1, "a": True}):
        assert _dumps(v) == json.dumps(v, sort_keys=True, default=str)


def test_dumps_random_flat_dicts():
    rng = random.Random(5)
    alphabet = "abcXYZ09_-\"\\/é\u0101\n"
    for _ in range(500):
        d = {}
        for _ in range(rng.randrange(0, 6)):
            k = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 5)))
            d[k] = (rng.randrange(-10 ** 12, 10 ** 12) if rng.random() < 0.5
                    else "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 8))))
        assert _dumps(d) == json.dumps(d, sort_keys=True, default=str)


def test_dumps_mixed_keys_raise_like_json():
    with pytest.raises(TypeError):
        json.dumps({1: 2, "a": 3}, sort_keys=True, default=str)
    with pytest.raises(TypeError):
        _dumps({1: 2, "a": 3})
