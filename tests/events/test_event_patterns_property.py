"""Property tests: the compiled matcher agrees with a tiny reference matcher, and the rule index
finds exactly the rules a brute-force scan finds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from serverless_sim.events.patterns import EventPattern
from serverless_sim.events.rule_index import RuleIndex

MISSING = object()
KEYS = st.sampled_from(["a", "b", "c"])
STRINGS = st.sampled_from(["", "x", "xy", "yx", "X", "10.0.0.1", "a*b"])
NUMBERS = st.sampled_from([0, 1, 2, 2.0, -3, 1.5])
SCALARS = st.one_of(STRINGS, NUMBERS, st.booleans(), st.none())


# -- the reference: direct, unoptimised, read off the documentation --------------------------
def scalars_of(value):
    if value is MISSING or isinstance(value, dict):
        return []
    if isinstance(value, list):
        out = []
        for v in value:
            out.extend(scalars_of(v) if isinstance(v, list) else ([] if isinstance(v, dict) else [v]))
        return out
    return [value]


def objects_of(value):
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        out = []
        for v in value:
            out.extend(objects_of(v))
        return out
    return []


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if a is None or b is None:
        return a is None and b is None
    if is_number(a) and is_number(b):
        return a == b
    return type(a) is type(b) and a == b


def op_matches(op, arg, s):
    if op == "prefix":
        return isinstance(s, str) and s.startswith(arg)
    if op == "suffix":
        return isinstance(s, str) and s.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(s, str) and s.lower() == arg.lower()
    if op == "wildcard":
        return isinstance(s, str) and wildcard(arg, s)
    if op == "anything-but":
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(same(x, s) for x in excluded)
    if op == "numeric":
        if not is_number(s):
            return False
        ok = True
        for i in range(0, len(arg), 2):
            o, v = arg[i], arg[i + 1]
            ok = ok and {"=": s == v, "<": s < v, "<=": s <= v, ">": s > v, ">=": s >= v}[o]
        return ok
    raise AssertionError(op)


def ref_match(pattern, event):
    for key, cond in pattern.items():
        if key == "$or":
            if not any(ref_match(alt, event) for alt in cond):
                return False
            continue
        value = event.get(key, MISSING)
        if isinstance(cond, dict):
            objs = objects_of(value) or [{}]
            if not any(ref_match(cond, o) for o in objs):
                return False
            continue
        found = scalars_of(value)
        ok = False
        for c in cond:
            if isinstance(c, dict):
                (op, arg), = c.items()
                if op == "exists":
                    ok = ok or (bool(found) == arg)
                else:
                    ok = ok or any(op_matches(op, arg, s) for s in found)
            else:
                ok = ok or any(same(c, s) for s in found)
        if not ok:
            return False
    return True


# -- generators ----------------------------------------------------------------------------
CONDITIONS = st.one_of(
    SCALARS,
    st.builds(lambda s: {"prefix": s}, STRINGS),
    st.builds(lambda s: {"suffix": s}, STRINGS),
    st.builds(lambda s: {"equals-ignore-case": s}, STRINGS),
    st.builds(lambda s: {"wildcard": s}, st.sampled_from(["x*", "*y", "*", "a\\*b", "x*y", ""])),
    st.builds(lambda s: {"anything-but": s}, st.one_of(
        STRINGS, NUMBERS, st.lists(STRINGS, min_size=1, max_size=3),
        st.lists(NUMBERS, min_size=1, max_size=3))),
    st.builds(lambda op, n: {"numeric": [op, n]}, st.sampled_from(["=", "<", "<=", ">", ">="]),
              NUMBERS),
    st.builds(lambda lo, hi: {"numeric": [">=", lo, "<", lo + hi]}, NUMBERS,
              st.sampled_from([0.5, 1, 3])),
    st.builds(lambda b: {"exists": b}, st.booleans()),
)


patterns = st.recursive(
    st.dictionaries(KEYS, st.lists(CONDITIONS, min_size=1, max_size=3), min_size=1, max_size=2),
    lambda inner: st.one_of(
        st.dictionaries(KEYS, st.one_of(inner, st.lists(CONDITIONS, min_size=1, max_size=3)),
                        min_size=1, max_size=3),
        st.builds(lambda a, b, rest: {"$or": [a, b], **rest}, inner, inner,
                  st.dictionaries(KEYS, st.lists(CONDITIONS, min_size=1, max_size=2), max_size=1)),
    ),
    max_leaves=6,
)

events = st.recursive(
    st.dictionaries(KEYS, st.one_of(SCALARS, st.lists(SCALARS, max_size=3)), max_size=3),
    lambda inner: st.dictionaries(
        KEYS, st.one_of(SCALARS, inner, st.lists(st.one_of(SCALARS, inner), max_size=3)),
        max_size=3),
    max_leaves=8,
)


def wildcard(p, s):
    """The reference wildcard: * is any run of characters, \\* a literal star."""
    import re

    out, i = [], 0
    while i < len(p):
        if p[i] == "\\":
            out.append(re.escape(p[i + 1]))
            i += 2
            continue
        out.append(".*" if p[i] == "*" else re.escape(p[i]))
        i += 1
    return re.fullmatch("".join(out), s, re.S) is not None


@given(patterns, events)
def test_compiled_matcher_agrees_with_reference(pattern, event):
    assert EventPattern(pattern).matches(event) == ref_match(pattern, event)


class _Rule:
    def __init__(self, seq, pattern):
        self.seq = seq
        self.event_pattern = EventPattern(pattern)


exact_patterns = st.fixed_dictionaries(
    {"source": st.lists(st.sampled_from(["s1", "s2", "s3"]), min_size=1, max_size=2)},
    optional={"detail": st.fixed_dictionaries({"a": st.lists(CONDITIONS, min_size=1, max_size=2)})},
)


@given(st.lists(st.one_of(exact_patterns, patterns), min_size=1, max_size=12),
       st.lists(st.one_of(events, st.fixed_dictionaries(
           {"source": st.sampled_from(["s1", "s2", "s4"])},
           optional={"detail": events})), min_size=1, max_size=5),
       st.data())
def test_rule_index_finds_exactly_the_matching_rules(pats, evs, data):
    index = RuleIndex()
    rules = [_Rule(i, p) for i, p in enumerate(pats)]
    for r in rules:
        index.add(r)
    removed = data.draw(st.sets(st.sampled_from(range(len(rules)))))
    for i in sorted(removed):
        index.remove(rules[i])
    index._check()
    live = [r for i, r in enumerate(rules) if i not in removed]
    for ev in evs:
        brute = [r.seq for r in live if r.event_pattern.matches(ev)]
        assert [r.seq for r in index.matching(ev)] == brute
