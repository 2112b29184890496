"""Attribute values: validation, numbers, sizes, ordering, equality (AWS's numbers and messages)."""

from __future__ import annotations

import contextlib
import decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim.dynamodb.errors import ValidationException
from serverless_sim.dynamodb.types import (
    add_numbers,
    av_type,
    decimal_to_number,
    item_size,
    normalize_number,
    sort_key,
    to_decimal,
    validate_item,
    validate_key_value,
    validate_value,
    value_size,
    values_equal,
)


@contextlib.contextmanager
def raises(message: str):
    """Expect a ValidationException whose AWS message is exactly ``message``."""
    with pytest.raises(ValidationException) as info:
        yield info
    assert info.value.message == message


# -- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, canonical",
    [
        ("0", "0"),
        ("-0", "0"),
        ("42", "42"),
        ("-42", "-42"),
        ("00042", "42"),
        ("1.50", "1.5"),
        ("1.0", "1"),
        ("3.1400", "3.14"),
        ("1E2", "100"),
        ("1.5E2", "150"),
        ("1e-2", "0.01"),
        (".5", "0.5"),
        ("5.", "5"),
        ("+7", "7"),
        ("-0.000", "0"),
        ("0E99999999999999999", "0"),
        ("1E-130", "0." + "0" * 129 + "1"),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        ("9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + "0" * 88),
    ],
)
def test_normalize_number_canonical(text, canonical):
    assert normalize_number(text) == canonical


@pytest.mark.parametrize(
    "text, message",
    [
        ("1E126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        ("-11E125", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        ("1E-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
        ("0.9E-130", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
        ("1E-99999999999999", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
        ("123456789012345678901234567890123456789", "Attempting to store more than 38 significant digits in a Number"),
        ("3.14159265358979323846264338327950288419", "Attempting to store more than 38 significant digits in a Number"),
    ],
)
def test_normalize_number_limits(text, message):
    with raises(message):
        normalize_number(text)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "dog", " 1", "1 ", "", "-", "1e", "1.2.3", "٣", "0x10"])
def test_normalize_number_syntax(text):
    with pytest.raises(ValidationException, match="cannot be converted to a numeric value"):
        normalize_number(text)


def test_normalize_number_rejects_non_string():
    with pytest.raises(ValidationException):
        normalize_number(5)  # type: ignore[arg-type]


_number_texts = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: d == 0 or (-130 <= d.adjusted() <= 125)
).map(lambda d: format(d, "f") if abs(d.as_tuple().exponent) < 50 else str(d))


@settings(max_examples=150)
@given(_number_texts)
def test_normalize_number_exact_and_idempotent(text):
    try:
        canonical = normalize_number(text)
    except ValidationException as exc:
        assert "significant digits" in exc.message
        return
    assert decimal.Decimal(canonical) == decimal.Decimal(text)
    assert normalize_number(canonical) == canonical
    assert "E" not in canonical and "e" not in canonical


def test_to_decimal_exact():
    assert to_decimal("0.1") == decimal.Decimal("0.1")
    assert to_decimal("12345678901234567890123456789012345678") == decimal.Decimal(
        "12345678901234567890123456789012345678"
    )


def test_add_numbers_exact():
    assert add_numbers("1", "10000000000000000000000") == "10000000000000000000001"
    assert add_numbers("10000000000000000000000", "1", subtract=True) == "9999999999999999999999"
    assert add_numbers("9E125", "9E124") == normalize_number("9.9E125")
    assert add_numbers("0.1", "0.2") == "0.3"
    assert add_numbers("5", "5", subtract=True) == "0"


@pytest.mark.parametrize("a, b, sub", [("9E125", "9E125", False), ("9E125", "-9E125", True), ("1E50", "1", False), ("1E50", "1", True)])
def test_add_numbers_overflow(a, b, sub):
    with raises("Number overflow. Attempting to store a number with magnitude larger than supported range"):
        add_numbers(a, b, subtract=sub)


def test_decimal_to_number():
    assert decimal_to_number(decimal.Decimal("1.500")) == "1.5"
    assert decimal_to_number(decimal.Decimal("-0")) == "0"


# -- validation -----------------------------------------------------------------------------------


def test_validate_item_returns_same_object_when_canonical():
    item = {"a": {"S": "x"}, "n": {"N": "12.5"}, "m": {"M": {"l": {"L": [{"N": "1"}]}}}}
    assert validate_item(item) is item


def test_validate_item_normalises_numbers_without_mutating():
    inner = {"x": {"S": "keep"}}
    item = {"n": {"N": "1.50"}, "m": {"M": {"k": {"N": "1E2"}, "s": {"M": inner}}}, "ns": {"NS": ["1.0", "2"]}}
    out = validate_item(item)
    assert out == {"n": {"N": "1.5"}, "m": {"M": {"k": {"N": "100"}, "s": {"M": inner}}}, "ns": {"NS": ["1", "2"]}}
    assert item["n"] == {"N": "1.50"} and item["m"]["M"]["k"] == {"N": "1E2"}
    assert out["m"]["M"]["s"]["M"] is inner  # structural sharing


@pytest.mark.parametrize(
    "av, message",
    [
        ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ({"X": "1"}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ({"S": "a", "N": "1"}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
        ({"BS": []}, "One or more parameter values were invalid: Binary sets should not be empty"),
        ({"SS": ["a", "a"]}, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
        ({"NS": ["1", "1.0"]}, "One or more parameter values were invalid: Input collection [1, 1.0] contains duplicates."),
        ({"NULL": False}, "One or more parameter values were invalid: Null attribute value types must have the value of true"),
        ({"M": {"x": {"SS": []}}}, "One or more parameter values were invalid: An string set  may not be empty"),
    ],
)
def test_validate_value_errors(av, message):
    with raises(message):
        validate_value(av)


@pytest.mark.parametrize("av", [{"S": 1}, {"B": "text"}, {"BOOL": 1}, {"L": "x"}, {"M": []}, {"SS": [1]}, {"BS": ["x"]}, None])
def test_validate_value_wrong_python_types(av):
    with pytest.raises(ValidationException):
        validate_value(av)


def test_validate_value_accepts_empty_strings_lists_maps_and_bytearray():
    assert validate_value({"S": ""}) == {"S": ""}
    assert validate_value({"B": b""}) == {"B": b""}
    assert validate_value({"L": []}) == {"L": []}
    assert validate_value({"M": {}}) == {"M": {}}
    assert validate_value({"B": bytearray(b"x")}) == {"B": b"x"}


def _nested(depth: int) -> dict:
    av: dict = {"S": "leaf"}
    for _ in range(depth):
        av = {"L": [av]}
    return av


def test_nesting_depth_32_ok_33_rejected():
    validate_value(_nested(32))
    with raises("Nesting Levels have exceeded supported limits"):
        validate_value(_nested(33))


def test_validate_item_empty_name():
    with pytest.raises(ValidationException):
        validate_item({"": {"S": "x"}})


# -- keys -------------------------------------------------------------------------------------------


def test_key_type_mismatch():
    with raises("One or more parameter values were invalid: Type mismatch for key id expected: S actual: N"):
        validate_key_value({"N": "1"}, "id", "S")


def test_key_empty_string_and_binary():
    with raises(
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
        "contain an empty string value. Key: id"
    ):
        validate_key_value({"S": ""}, "id", "S")
    with raises(
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
        "contain an empty binary value. Key: id"
    ):
        validate_key_value({"B": b""}, "id", "B")


def test_key_size_limits():
    assert validate_key_value({"S": "x" * 2048}, "pk", "S") == {"S": "x" * 2048}
    with raises("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"):
        validate_key_value({"S": "x" * 2049}, "pk", "S")
    validate_key_value({"B": b"x" * 1024}, "sk", "B", range_key=True)
    with raises("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes"):
        validate_key_value({"B": b"x" * 1025}, "sk", "B", range_key=True)
    with pytest.raises(ValidationException):
        validate_key_value({"S": "é" * 1025}, "pk", "S", range_key=True)  # 2050 UTF-8 bytes


def test_key_number_normalised():
    assert validate_key_value({"N": "1.50"}, "pk", "N") == {"N": "1.5"}


# -- sizes ------------------------------------------------------------------------------------------


def test_item_size_documented_example():
    assert item_size({"shirt-color": {"S": "R"}, "shirt-size": {"S": "M"}}) == 23


def test_value_sizes():
    assert value_size({"S": "héllo"}) == 6
    assert value_size({"B": b"\x00\x01\x02"}) == 3
    assert value_size({"BOOL": False}) == 1
    assert value_size({"NULL": True}) == 1
    assert value_size({"L": []}) == 3
    assert value_size({"M": {}}) == 3
    assert value_size({"L": [{"S": "ab"}, {"BOOL": True}]}) == 3 + (2 + 1) + (1 + 1)
    assert value_size({"M": {"k": {"S": "ab"}}}) == 3 + 1 + 2 + 1
    assert value_size({"SS": ["a", "bc"]}) == 3
    assert value_size({"N": "1"}) == 2
    assert value_size({"N": "12"}) == 2
    assert value_size({"N": "123"}) == 3
    assert value_size({"N": "1000"}) == 2  # trailing zeros trimmed
    assert value_size({"N": "-0.0012"}) == 2
    assert value_size({"NS": ["1", "123"]}) == 5


# -- ordering and equality -----------------------------------------------------------------------------


@settings(max_examples=100)
@given(st.lists(_number_texts, min_size=2, max_size=6))
def test_sort_key_orders_numbers_like_decimal(texts):
    good = []
    for t in texts:
        try:
            good.append(normalize_number(t))
        except ValidationException:
            pass
    ordered = sorted(good, key=lambda t: sort_key({"N": t}))
    assert [decimal.Decimal(t) for t in ordered] == sorted(decimal.Decimal(t) for t in good)


@settings(max_examples=100)
@given(st.lists(st.text(max_size=5), min_size=2, max_size=6))
def test_sort_key_orders_strings_by_utf8(texts):
    by_key = sorted(texts, key=lambda s: sort_key({"S": s}))
    assert [s.encode("utf-8") for s in by_key] == sorted(s.encode("utf-8") for s in texts)


def test_sort_key_binary_unsigned():
    assert sort_key({"B": b"\x7f"}) < sort_key({"B": b"\x80"})


def test_values_equal():
    assert values_equal({"N": "1"}, {"N": "1.0"})
    assert not values_equal({"N": "1"}, {"S": "1"})
    assert values_equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert values_equal({"NS": ["1", "2"]}, {"NS": ["2.0", "1"]})
    assert not values_equal({"SS": ["a"]}, {"SS": ["a", "b"]})
    assert values_equal({"M": {"x": {"NS": ["1", "2"]}}}, {"M": {"x": {"NS": ["2", "1"]}}})
    assert not values_equal({"L": [{"S": "a"}]}, {"L": [{"S": "a"}, {"S": "b"}]})
    assert not values_equal({"M": {"a": {"S": "x"}}}, {"M": {"b": {"S": "x"}}})
    assert av_type({"BOOL": True}) == "BOOL"
