"""JSONPath engine (serverless_sim.stepfunctions.asl.paths).

Expected values follow the Developer Guide's path examples
(https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html) and
Jayway JsonPath semantics, which AWS uses.
"""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from serverless_sim.stepfunctions.asl.paths import parse_path, parse_reference_path
from serverless_sim.stepfunctions.errors import PathError, PathNotFound

DOC = {"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": True}}

STORE = {
    "store": {
        "book": [
            {"category": "reference", "author": "Nigel Rees", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "price": 12.99},
            {"category": "fiction", "author": "Herman Melville", "isbn": "0-553-21311-3",
             "price": 8.99},
        ],
        "bicycle": {"color": "red", "price": 19.95},
    }
}


def get(path, data):
    return parse_path(path).get(data)


def test_reference_paths_from_the_developer_guide():
    """DG amazon-states-language-paths: $.foo => 123, $.bar => [...], $.car.cdr => true."""
    assert get("$.foo", DOC) == 123
    assert get("$.bar", DOC) == ["a", "b", "c"]
    assert get("$.car.cdr", DOC) is True
    assert get("$", DOC) is DOC


def test_slice_from_the_developer_guide():
    """DG: "If you apply the path $.a[0:2], the following is the result: [ 1, 2 ]"."""
    assert get("$.a[0:2]", {"a": [1, 2, 3, 4]}) == [1, 2]


def test_brackets_indexes_and_negative_indexes():
    assert get("$['bar'][1]", DOC) == "b"
    assert get('$["car"]["cdr"]', DOC) is True
    assert get("$.bar[-1]", DOC) == "c"
    assert get("$.bar[0,2]", DOC) == ["a", "c"]
    assert get("$.bar[::2]", DOC) == ["a", "c"]
    assert get("$.bar[-2:]", DOC) == ["b", "c"]


def test_wildcards_descent_and_filters():
    assert get("$.store.book[*].author", STORE) == ["Nigel Rees", "Evelyn Waugh", "Herman Melville"]
    assert get("$..price", STORE) == [8.95, 12.99, 8.99, 19.95]
    assert get("$.store.book[?(@.price < 10)].author", STORE) == ["Nigel Rees", "Herman Melville"]
    assert get("$.store.book[?(@.isbn)].author", STORE) == ["Herman Melville"]
    assert get("$.store.book[?(@.category == 'fiction' && @.price > 10)].price", STORE) == [12.99]
    assert get("$.store.book[?(!(@.price < 10) || @.author == 'Nigel Rees')].price", STORE) == [
        8.95, 12.99]
    assert get("$.store.*.color", STORE) == ["red"]
    assert get("$..book[0].author", STORE) == ["Nigel Rees"]
    assert get("$.store.book[?(@.author =~ /.*Melville/)].price", STORE) == [8.99]
    assert get("$.store.book[?(@.category in ['reference'])].price", STORE) == [8.95]


def test_indefinite_paths_with_no_match_are_empty_lists():
    assert get("$.store.book[?(@.price > 100)]", STORE) == []
    assert get("$..nothing", STORE) == []


def test_definite_paths_that_match_nothing_raise_with_jayway_rendering():
    with pytest.raises(PathNotFound) as info:
        get("$.car.nope", DOC)
    assert info.value.jayway == "$['car']['nope']"
    with pytest.raises(PathNotFound):
        get("$.bar[7]", DOC)
    with pytest.raises(PathNotFound):
        get("$.foo.x", DOC)


def test_context_and_variable_roots():
    p = parse_path("$$.Execution.Id")
    assert p.root == "context" and p.keys == ("Execution", "Id")
    v = parse_path("$myVar.a[0]")
    assert v.root == "var" and v.var == "myVar" and v.keys == ("a", 0)


def test_reference_paths_reject_operators():
    for bad in ("$.a[*]", "$..a", "$.a[0:1]", "$.a[?(@.x)]"):
        with pytest.raises(PathError):
            parse_reference_path(bad)


def test_set_copies_along_the_path_and_creates_objects():
    data = {"a": {"b": 1}, "keep": [1]}
    out = parse_reference_path("$.a.c.d").set(data, 5)
    assert out == {"a": {"b": 1, "c": {"d": 5}}, "keep": [1]}
    assert data == {"a": {"b": 1}, "keep": [1]}  # not mutated
    assert out["keep"] is data["keep"]
    with pytest.raises(PathError):
        parse_reference_path("$.a.b.c").set(data, 1)


def test_malformed_paths():
    for bad in ("", "a.b", "$.", "$[", "$['a'", "$[?(@.a <)]", "$.a[1:2:0]", "$ x"):
        with pytest.raises(PathError):
            parse_path(bad)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner,
                                                                max_size=3),
    max_leaves=8,
)
PATHISH = st.text(alphabet="$.[]*?@()'\"0123456789-:,abc =<>!&|~/", max_size=24)


@given(PATHISH, JSON)
def test_any_text_parses_to_a_path_or_a_path_error(text, data):
    """Hypothesis: the parser answers any input with a result or a PathError."""
    try:
        p = parse_path(text)
    except PathError:
        return
    try:
        p.get(data)
    except PathError:
        pass


@given(st.lists(st.one_of(st.text(alphabet="abc", min_size=1, max_size=3),
                          st.integers(0, 3)), max_size=4), JSON)
def test_generated_reference_paths_agree_with_direct_lookup(keys, data):
    text = "$" + "".join(f"[{k}]" if isinstance(k, int) else f"['{k}']" for k in keys)
    p = parse_reference_path(text)
    cur = data
    ok = True
    for k in keys:
        if isinstance(k, int) and isinstance(cur, list) and k < len(cur):
            cur = cur[k]
        elif isinstance(k, str) and isinstance(cur, dict) and k in cur:
            cur = cur[k]
        else:
            ok = False
            break
    if ok:
        assert p.get(data) == cur
    else:
        with pytest.raises(PathNotFound):
            p.get(data)
