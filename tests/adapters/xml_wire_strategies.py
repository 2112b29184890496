"""Hypothesis strategies for values of botocore shapes, and the normalization that says what a
wire round trip keeps (shared by the query and REST-XML protocol tests)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

UTC = dt.timezone.utc
#: Marks a value that the wire does not carry (an empty structure or map, in the query
#: protocol; a flattened empty list in XML).
ABSENT = object()

# XML 1.0 cannot carry control characters other than tab, newline and carriage return.
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), max_codepoint=0x2FFF) | st.sampled_from("\t\n\r"),
                   max_size=8)
ANY_TEXT = st.text(max_size=8)


def values(shape, *, text=ANY_TEXT, depth=0, skip_located=True, whole_seconds=False):
    """A strategy for a Python value of ``shape`` (as a boto3 caller passes it or botocore's
    parser returns it). Members placed outside the body (headers, URI) are left out when
    ``skip_located``."""
    kind = shape.type_name
    kw = dict(text=text, depth=depth + 1, skip_located=skip_located, whole_seconds=whole_seconds)
    if kind == "structure":
        if depth > 3:
            return st.just({})
        members = {
            name: st.deferred(lambda m=member: values(m, **kw))
            for name, member in shape.members.items()
            if not (skip_located and member.serialization.get("location"))
            and not member.serialization.get("eventstream")
            and not member.serialization.get("xmlAttribute")
        }
        if getattr(shape, "is_tagged_union", False) and members:  # exactly one member set
            return st.one_of([st.fixed_dictionaries({name: m}) for name, m in members.items()])
        return st.fixed_dictionaries({}, optional=members)
    if kind == "list":
        return st.lists(values(shape.member, **kw), max_size=2 if depth < 3 else 0)
    if kind == "map":
        return st.dictionaries(values(shape.key, **kw), values(shape.value, **kw), max_size=2 if depth < 3 else 0)
    if kind == "string":
        return text
    if kind in ("integer", "long"):
        return st.integers(-(2**31), 2**31 - 1)
    if kind == "boolean":
        return st.booleans()
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, width=64)
    if kind == "timestamp":
        moments = st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2200, 1, 1),
                               timezones=st.just(UTC))
        if whole_seconds:
            moments = moments.map(lambda d: d.replace(microsecond=0))
        return moments
    if kind == "blob":
        return st.binary(max_size=8)
    raise AssertionError(f"no strategy for {kind}")  # pragma: no cover


def normalize(shape, value, *, empty_struct_absent, empty_map_absent, empty_list_absent):
    """``value`` as the wire gives it back: ABSENT where nothing is written, or None when the
    round trip cannot keep it (an absent item inside a list or map)."""
    kw = dict(empty_struct_absent=empty_struct_absent, empty_map_absent=empty_map_absent,
              empty_list_absent=empty_list_absent)
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, v in value.items():
            n = normalize(shape.members[name], v, **kw)
            if n is None:
                return None
            if n is not ABSENT:
                out[name] = n
        return ABSENT if (not out and empty_struct_absent) else out
    if kind == "list":
        items = [normalize(shape.member, v, **kw) for v in value]
        if any(i is None or i is ABSENT for i in items):
            return None
        return ABSENT if (not items and empty_list_absent(shape)) else items
    if kind == "map":
        out = {}
        for k, v in value.items():
            n = normalize(shape.value, v, **kw)
            if n is None or n is ABSENT:
                return None
            out[k] = n
        return ABSENT if (not out and empty_map_absent(shape)) else out
    return value
