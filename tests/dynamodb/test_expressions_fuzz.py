"""Property tests: every expression text gets a result or a ValidationException, never a crash;
updates round-trip through reads."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim.dynamodb.errors import ValidationException
from serverless_sim.dynamodb.expressions import ExpressionContext
from serverless_sim.dynamodb.types import normalize_number, validate_item, values_equal

_TOKENS = [
    "a", "b", "c", "pk", "m", "l", "#n", "#m", "#zz", ":v", ":w", ":s", ":l", ":zz",
    "=", "<>", "<", "<=", ">", ">=", "(", ")", "[", "]", "[0]", "[1]", "[99]", ",", ".", "+", "-",
    "AND", "or", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE", "status",
    "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains",
    "size", "list_append", "if_not_exists", "dog", "1", "_", "!", "#", ":", " ",
]

token_texts = st.lists(st.sampled_from(_TOKENS), max_size=14).map(" ".join)
any_text = st.one_of(token_texts, st.text(max_size=40))

scalar_avs = st.one_of(
    st.text(max_size=4).map(lambda s: {"S": s}),
    st.integers(-1000, 1000).map(lambda i: {"N": str(i)}),
    st.binary(max_size=4).map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(st.text(max_size=3), min_size=1, max_size=3, unique=True).map(lambda x: {"SS": x}),
    st.lists(st.integers(0, 9), min_size=1, max_size=3, unique=True).map(lambda x: {"NS": [str(i) for i in x]}),
)
avs = st.recursive(
    scalar_avs,
    lambda children: st.one_of(
        st.lists(children, max_size=3).map(lambda x: {"L": x}),
        st.dictionaries(st.sampled_from(["a", "b", "c", "x"]), children, max_size=3).map(lambda x: {"M": x}),
    ),
    max_leaves=6,
)
names_dicts = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(["#n", "#m", "#zz", "bad"]), st.sampled_from(["a", "m", "status", "x.y", ""]), max_size=3),
)
values_dicts = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from([":v", ":w", ":s", ":l", ":zz"]), avs, max_size=4),
)
items = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(["pk", "a", "b", "c", "m", "l", "status"]), avs, max_size=5),
)


def _attempt(fn):
    try:
        return fn()
    except ValidationException:
        return None


@settings(max_examples=300, deadline=None)
@given(any_text, names_dicts, values_dicts, items, st.sampled_from(["condition", "update", "projection", "key"]))
def test_any_text_gives_result_or_validation_exception(text, names, values, item, which):
    snapshot = copy.deepcopy(item)

    def run():
        ctx = ExpressionContext(names, values)
        if which == "condition":
            result = ctx.condition(text, "FilterExpression").evaluate(item)
            assert isinstance(result, bool)
        elif which == "update":
            new = ctx.update(text).apply(item, key_names=("pk",))
            assert isinstance(new, dict)
        elif which == "projection":
            assert isinstance(ctx.projection(text).apply(item), dict)
        else:
            kc = ctx.key_condition(text, hash_key="pk", range_key="a")
            assert kc.hash_value is not None
            kc.range_matches({"N": "1"})
        ctx.finish()

    _attempt(run)
    assert item == snapshot


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), avs, min_size=1, max_size=4), items)
def test_set_then_read_round_trip(new_values, item):
    """SET every attribute to a value, then each reads back equal; other attributes untouched."""
    values = {f":v{i}": av for i, av in enumerate(new_values.values())}
    ctx = ExpressionContext(None, values)
    text = "SET " + ", ".join(f"{name} = :v{i}" for i, name in enumerate(new_values))
    updated = ctx.update(text).apply(item)
    ctx.finish()
    for name, av in new_values.items():
        assert values_equal(updated[name], validate_item({name: av})[name])
        ctx2 = ExpressionContext(None, {":x": av})
        assert ctx2.condition(f"{name} = :x").evaluate(updated)
        assert ctx2.condition(f"attribute_exists({name})").evaluate(updated) is True
    for name, av in (item or {}).items():
        if name not in new_values:
            assert updated[name] is av
    proj = ExpressionContext().projection(", ".join(new_values)).apply(updated)
    assert set(proj) == set(new_values)


@settings(max_examples=100, deadline=None)
@given(st.integers(-(10**20), 10**20), st.integers(-(10**20), 10**20))
def test_add_then_remove_round_trip(start, delta):
    item = {"pk": {"S": "k"}, "n": {"N": str(start)}}
    ctx = ExpressionContext(None, {":d": {"N": str(delta)}})
    added = ctx.update("ADD n :d").apply(item, key_names=("pk",))
    assert added["n"] == {"N": normalize_number(str(start + delta))}
    ctx = ExpressionContext(None, {":d": {"N": str(delta)}})
    back = ctx.update("SET n = n - :d").apply(added, key_names=("pk",))
    assert back == item
    removed = ExpressionContext().update("REMOVE n").apply(back)
    assert removed == {"pk": {"S": "k"}}
