"""One test per rule of the event-pattern language (AWS's examples where they exist)."""

from __future__ import annotations

import pytest

from serverless_sim.events.errors import InvalidEventPatternException
from serverless_sim.events.patterns import EventPattern

EVENT = {
    "version": "0",
    "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "012345679012",
    "time": "2017-10-02T16:24:49Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
    "detail": {
        "c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33",
        "instance-id": "i-000000aaaaaa00000", "state": "running", "FileName": "cat.PNG",
        "eventVersion": "", "responseElements": None, "flag": True, "ipv6": "2001:db8::1",
        "tags": ["a", "b"], "empty": [], "obj": {"k": 1},
        "employees": [{"first": "John", "last": "Doe"}, {"first": "Anna", "last": "Smith"}],
    },
}


def m(pattern, event=EVENT):
    return EventPattern(pattern).matches(event)


def detail(**fields):
    return {"detail": fields}


def test_exact_strings_and_or_within_a_field():
    assert m({"source": ["aws.ec2"], "detail": {"state": ["initializing", "running"]}})
    assert not m({"source": ["aws.s3"]})
    assert not m({"source": ["AWS.EC2"]})  # case-sensitive


def test_all_fields_must_match():
    assert not m({"source": ["aws.ec2"], "detail-type": ["other"]})


def test_event_arrays_match_when_intersection_is_not_empty():
    assert m({"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000",
                            "x"]})
    assert m(detail(tags=["b", "z"]))
    assert not m(detail(tags=["z"]))


def test_numbers_match_numerically_and_never_strings_or_booleans():
    assert m(detail(**{"c-count": [5]}))
    assert m(detail(**{"c-count": [5.0]}))
    assert not m(detail(**{"c-count": ["5"]}))
    assert m(detail(flag=[True]))
    assert not m(detail(flag=[1]))


def test_null_and_empty_string():
    assert m(detail(responseElements=[None]))
    assert m(detail(eventVersion=[""]))
    assert not m(detail(eventVersion=[None]))
    assert not m(detail(missing=[None]))  # null never matches a missing field


def test_prefix_and_prefix_ignore_case():
    assert m({"time": [{"prefix": "2017-10-02"}]})
    assert not m({"time": [{"prefix": "2018"}]})
    assert m({"source": [{"prefix": {"equals-ignore-case": "AWS."}}]})
    assert not m(detail(**{"c-count": [{"prefix": "5"}]}))  # strings only


def test_suffix_and_suffix_ignore_case():
    assert not m(detail(FileName=[{"suffix": ".png"}]))
    assert m(detail(FileName=[{"suffix": {"equals-ignore-case": ".png"}}]))
    assert m({"source": [{"suffix": "ec2"}]})


def test_equals_ignore_case():
    assert m({"source": [{"equals-ignore-case": "AWS.EC2"}]})


def test_wildcard():
    assert m({"source": [{"wildcard": "aws.*"}]})
    assert m(detail(FileName=[{"wildcard": "*.PNG"}]))
    assert m(detail(state=[{"wildcard": "r*n*g"}]))
    assert not m(detail(state=[{"wildcard": "r*x"}]))
    assert EventPattern({"a": [{"wildcard": "x\\*"}]}).matches({"a": "x*"})
    assert not EventPattern({"a": [{"wildcard": "x\\*"}]}).matches({"a": "xy"})


def test_anything_but_forms():
    assert m(detail(state=[{"anything-but": "initializing"}]))
    assert not m(detail(state=[{"anything-but": ["stopped", "running"]}]))
    assert m(detail(**{"x-limit": [{"anything-but": [100, 200, 300]}]}))
    assert not m(detail(**{"c-count": [{"anything-but": 5}]}))
    assert not m(detail(state=[{"anything-but": {"prefix": "run"}}]))
    assert m(detail(state=[{"anything-but": {"suffix": "x"}}]))
    assert not m(detail(state=[{"anything-but": {"equals-ignore-case": ["RUNNING"]}}]))
    assert not m(detail(state=[{"anything-but": {"wildcard": "r*"}}]))
    assert not m(detail(missing=[{"anything-but": "x"}]))  # the field must be present


def test_numeric_ranges():
    assert m(detail(**{"c-count": [{"numeric": [">", 0, "<=", 5]}],
                       "d-count": [{"numeric": ["<", 10]}],
                       "x-limit": [{"numeric": ["=", 3.018e2]}]}))
    assert not m(detail(**{"c-count": [{"numeric": [">", 5]}]}))
    assert not m(detail(state=[{"numeric": [">", 0]}]))  # numbers only


def test_exists_on_leaves_only():
    assert m(detail(state=[{"exists": True}]))
    assert m(detail(missing=[{"exists": False}]))
    assert not m(detail(state=[{"exists": False}]))
    assert m(detail(obj=[{"exists": False}]))  # an object is not a leaf
    assert not m(detail(obj=[{"exists": True}]))
    assert m(detail(empty=[{"exists": False}]))
    assert m({"nothing": {"here": [{"exists": False}]}})  # missing parent


def test_cidr_ipv4_and_ipv6():
    assert m(detail(**{"source-ip": [{"cidr": "10.0.0.0/24"}]}))
    assert not m(detail(**{"source-ip": [{"cidr": "10.0.1.0/24"}]}))
    assert m(detail(ipv6=[{"cidr": "2001:db8::/32"}]))
    assert not m(detail(state=[{"cidr": "10.0.0.0/8"}]))


def test_or_at_top_level_and_nested():
    assert m({"source": ["aws.ec2"], "$or": [{"detail-type": ["x"]},
                                             {"detail": {"state": ["running"]}}]})
    assert not m({"$or": [{"detail-type": ["x"]}, {"source": ["y"]}]})
    assert m({"detail": {"$or": [{"state": ["x"]}, {"c-count": [{"numeric": [">", 4]}]}]}})


def test_array_consistency_for_objects_in_arrays():
    assert m(detail(employees={"first": ["Anna"], "last": ["Smith"]}))
    assert not m(detail(employees={"first": ["Anna"], "last": ["Doe"]}))


def test_nested_pattern_against_scalar_does_not_match():
    assert not m({"source": {"x": ["y"]}})


@pytest.mark.parametrize(
    "pattern, reason",
    [
        ("not json", None),
        ([1], "Filter is not an object"),
        ({}, "Empty objects are not allowed"),
        ({"detail": {}}, "Empty objects are not allowed"),
        ({"source": "aws.ec2"}, '"source" must be an object or an array'),
        ({"a": [{"prefix": 5}]}, "prefix match pattern must be a string"),
        ({"a": [{"suffix": ["x"]}]}, "suffix match pattern must be a string"),
        ({"a": [{"nope": 1}]}, "Unrecognized match type nope"),
        ({"a": [{"exists": "yes"}]}, "exists match pattern must be either true or false."),
        ({"a": [{"numeric": [">", "x"]}]}, "Value of > must be numeric"),
        ({"a": [{"numeric": ["<", 5, ">", 1]}]}, None),
        ({"a": [{"numeric": [">", 6e9]}]}, "Value must be between -5.0E9 and 5.0E9, inclusive"),
        ({"a": [{"wildcard": "a**b"}]}, "Consecutive wildcard characters at pos 2"),
        ({"a": [{"anything-but": ["x", 1]}]}, None),
        ({"a": [{"cidr": "nope"}]}, "Nonstandard IP address: nope"),
        ({"a": [{"prefix": "a", "suffix": "b"}]}, "Only one key allowed in match expression"),
    ],
)
def test_invalid_patterns_raise_aws_error(pattern, reason):
    import json

    text = pattern if isinstance(pattern, str) else json.dumps(pattern)
    with pytest.raises(InvalidEventPatternException) as info:
        EventPattern(text)
    assert info.value.message.startswith("Event pattern is not valid. Reason: ")
    if reason:
        assert info.value.message == f"Event pattern is not valid. Reason: {reason}"


def test_index_field_prefers_source_then_detail_type():
    assert EventPattern({"detail-type": ["x"], "source": ["a", "b"]}).index_field == "source"
    assert EventPattern({"detail-type": ["x"]}).index_field == "detail-type"
    assert EventPattern({"source": [{"prefix": "a"}], "region": ["r"]}).index_field == "region"
    assert EventPattern({"detail": {"a": ["b"]}}).index_field is None
