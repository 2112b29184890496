"""Filter policies: each operator, AWS's limits (5 keys, 150 combinations), and a property test
against a tiny reference matcher."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serverless_sim.kernel.errors import AWSError
from serverless_sim.sns import filter_policy as FP


def attrs_match(policy: dict, attributes: dict) -> bool:
    FP.parse(json.dumps(policy))
    wire = {}
    for k, v in attributes.items():
        if isinstance(v, list):
            wire[k] = {"DataType": "String.Array", "StringValue": json.dumps(v)}
        elif isinstance(v, (int, float)):
            wire[k] = {"DataType": "Number", "StringValue": str(v)}
        elif isinstance(v, bytes):
            wire[k] = {"DataType": "Binary", "BinaryValue": v}
        else:
            wire[k] = {"DataType": "String", "StringValue": v}
    return FP.matches(FP.parse(json.dumps(policy)), FP.attributes_view(wire))


@pytest.mark.parametrize("policy, attributes, expected", [
    ({"c": ["red"]}, {"c": "red"}, True),
    ({"c": ["red"]}, {"c": "Red"}, False),                                  # case-sensitive
    ({"c": ["red", "blue"]}, {"c": "blue"}, True),
    ({"c": ["red"]}, {}, False),
    ({"c": [{"prefix": "bl"}]}, {"c": "blue"}, True),
    ({"c": [{"suffix": "ue"}]}, {"c": "blue"}, True),
    ({"c": [{"equals-ignore-case": "RED"}]}, {"c": "red"}, True),
    ({"c": [{"anything-but": "red"}]}, {"c": "blue"}, True),
    ({"c": [{"anything-but": "red"}]}, {"c": "red"}, False),
    ({"c": [{"anything-but": "red"}]}, {}, False),                          # must exist
    ({"c": [{"anything-but": ["red", "blue"]}]}, {"c": "blue"}, False),
    ({"c": [{"anything-but": {"prefix": "bl"}}]}, {"c": "blue"}, False),
    ({"c": [{"anything-but": {"suffix": "ed"}}]}, {"c": "blue"}, True),
    ({"p": [{"numeric": [">", 0, "<=", 5]}]}, {"p": 5}, True),
    ({"p": [{"numeric": [">", 0, "<=", 5]}]}, {"p": 0}, False),
    ({"p": [{"numeric": ["=", 3.5]}]}, {"p": 3.5}, True),
    ({"p": [3]}, {"p": 3}, True),
    ({"p": [3]}, {"p": "3"}, False),                                        # a String is not a Number
    ({"p": [{"anything-but": 3}]}, {"p": 4}, True),
    ({"c": [{"exists": True}]}, {"c": "x"}, True),
    ({"c": [{"exists": True}]}, {}, False),
    ({"c": [{"exists": False}]}, {}, True),
    ({"c": [{"exists": False}]}, {"c": "x"}, False),
    ({"c": ["red"]}, {"c": ["green", "red"]}, True),                        # String.Array
    ({"c": [{"exists": True}]}, {"c": b"bin"}, False),                      # Binary is ignored
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.7"}, True),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.1.7"}, False),
    ({"a": ["1"], "b": ["2"]}, {"a": "1", "b": "3"}, False),                # keys are ANDed
    ({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, True),
    ({"x": ["y"], "$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, False),
])
def test_attribute_matching(policy, attributes, expected):
    assert attrs_match(policy, attributes) is expected


def test_body_matching_nested_and_null():
    policy = FP.parse(json.dumps({"order": {"status": ["paid"], "total": [{"numeric": [">=", 100]}]},
                                  "note": [None]}), "MessageBody")
    body = FP.body_view(json.dumps({"order": {"status": "paid", "total": 120.5}, "note": None}))
    assert FP.matches(policy, body)
    assert not FP.matches(policy, FP.body_view(json.dumps({"order": {"status": "paid", "total": 99}, "note": None})))
    assert FP.body_view("not json") is None
    items = FP.parse(json.dumps({"items": {"sku": ["b"]}}), "MessageBody")
    assert FP.matches(items, FP.body_view(json.dumps({"items": [{"sku": "a"}, {"sku": "b"}]})))


def test_limits_five_keys_and_150_combinations():
    FP.parse(json.dumps({f"k{i}": ["v"] for i in range(5)}))
    with pytest.raises(AWSError) as e:
        FP.parse(json.dumps({f"k{i}": ["v"] for i in range(6)}))
    assert e.value.code == "InvalidParameter"
    FP.parse(json.dumps({"a": [str(i) for i in range(15)], "b": [str(i) for i in range(10)]}))   # 150
    with pytest.raises(AWSError) as e:
        FP.parse(json.dumps({"a": [str(i) for i in range(151)]}))
    assert "too complex" in e.value.message
    assert FP.combinations({"a": ["1", "2", "3"], "b": ["1"], "c": ["1", "2"]}) == 6    # AWS's example
    assert FP.combinations({"$or": [{"a": ["1", "2"]}, {"b": ["1", "2", "3"]}]}) == 5


@pytest.mark.parametrize("policy", [
    {"p": [{"numeric": [">", 1_000_000_001]}]},
    {"p": [{"numeric": [">", 5, "<", 1]}]},
    {"p": [{"numeric": ["!", 5]}]},
    {"c": [{"wildcard": "a*"}]},
    {"c": "red"},
    {"c": {"nested": ["x"]}},                  # nested needs MessageBody scope
    {"c": [None]},                             # null needs MessageBody scope
    {"c": [{"exists": "yes"}]},
])
def test_invalid_policies(policy):
    with pytest.raises(AWSError):
        FP.parse(json.dumps(policy))


def test_subscription_limits_enforced_on_subscribe(cloud):
    sns = cloud.client("sns")
    t = sns.create_topic(Name="t")["TopicArn"]
    q = cloud.service("sqs").create_queue("q")
    with pytest.raises(sns.exceptions.InvalidParameterException) as e:
        sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint=q.arn,
                      Attributes={"FilterPolicy": json.dumps({f"k{i}": ["v"] for i in range(6)})})
    assert e.value.response["Error"]["Message"].startswith("Invalid parameter: FilterPolicy:")
    assert sns.list_subscriptions()["Subscriptions"] == []


# -- property test: the matcher agrees with a tiny reference on a subset of the language --------
KEYS = ["a", "b", "c"]
WORDS = ["red", "blue", "black", "re", ""]


def ref_leaf(m, v) -> bool:
    if isinstance(m, str):
        return isinstance(v, str) and v == m
    if isinstance(m, int):
        return isinstance(v, int) and v == m
    op, arg = next(iter(m.items()))
    if op == "prefix":
        return isinstance(v, str) and v[:len(arg)] == arg
    if op == "suffix":
        return isinstance(v, str) and (arg == "" or v[-len(arg):] == arg)
    if op == "anything-but":
        return v != arg if isinstance(v, type(arg)) else True
    if op == "numeric":
        lo_op, lo, hi_op, hi = arg
        return isinstance(v, int) and (v >= lo if lo_op == ">=" else v > lo) and (v <= hi if hi_op == "<=" else v < hi)
    raise AssertionError(op)


def ref_match(policy: dict, attrs: dict) -> bool:
    for key, cond in policy.items():
        if key not in attrs:
            if not any(isinstance(m, dict) and m.get("exists") is False for m in cond):
                return False
            continue
        v = attrs[key]
        ok = False
        for m in cond:
            if isinstance(m, dict) and "exists" in m:
                ok = ok or m["exists"]
            elif ref_leaf(m, v):
                ok = True
        if not ok:
            return False
    return True


leaf = st.one_of(
    st.sampled_from(WORDS[:4]),
    st.integers(-3, 3),
    st.builds(lambda w: {"prefix": w}, st.sampled_from(WORDS[:4])),
    st.builds(lambda w: {"suffix": w}, st.sampled_from(WORDS[:4])),
    st.builds(lambda w: {"anything-but": w}, st.one_of(st.sampled_from(WORDS[:4]), st.integers(-3, 3))),
    st.builds(lambda lo, w, hi_op: {"numeric": [">=", lo, hi_op, lo + w]},
              st.integers(-3, 3), st.integers(1, 4), st.sampled_from(["<", "<="])),
    st.builds(lambda b: {"exists": b}, st.booleans()),
)
policies = st.dictionaries(st.sampled_from(KEYS), st.lists(leaf, min_size=1, max_size=3), min_size=1)
attr_sets = st.dictionaries(st.sampled_from(KEYS), st.one_of(st.sampled_from(WORDS[:4]), st.integers(-3, 3)))


@given(policy=policies, attributes=attr_sets)
def test_matcher_agrees_with_reference(policy, attributes):
    assert attrs_match(policy, attributes) == ref_match(policy, attributes)
