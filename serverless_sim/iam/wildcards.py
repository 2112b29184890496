"""IAM's wildcards and policy variables, compiled once.

- ``*`` matches any run of characters (also none), ``?`` exactly one; everything else is literal.
  Actions match case-insensitively (``DynamoDB:getitem`` is ``dynamodb:GetItem``), resources and
  condition values case-sensitively
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
- Policy variables (``${aws:username}``, ``${cognito-identity.amazonaws.com:sub}``,
  ``${aws:PrincipalTag/team}``, with an optional default ``${aws:username, 'nobody'}``) are
  replaced in ``Resource``/``NotResource`` and condition values of policies whose ``Version`` is
  ``2012-10-17``; ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters. A variable
  without a value (and no default) makes that entry match nothing, as AWS does
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).

Matchers are compiled to one regular expression per policy element and cached, so evaluating a
statement is one ``fullmatch`` per element, O(length of the string).
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

#: A value that no string equals: an entry whose variable has no value.
UNRESOLVED = "\x00unresolved\x00"

_VAR = re.compile(r"\$\{([^}]*)\}")
_LITERAL = {"*": "\x01", "?": "\x02", "$": "$"}  # placeholders for ${*} and ${?}
_REGEX_CACHE: dict[tuple[str, bool], re.Pattern[str]] = {}


def has_variables(text: str) -> bool:
    return "${" in text


def substitute(text: str, lookup: Callable[[str], str | None]) -> str:
    """``text`` with its policy variables replaced; ``UNRESOLVED`` when one has no value.

    Literal ``${*}``/``${?}`` become placeholders that :func:`pattern` turns back into the
    literal characters (so they are not wildcards).
    """
    missing = False

    def repl(m: re.Match[str]) -> str:
        nonlocal missing
        body = m.group(1).strip()
        if body in _LITERAL:
            return _LITERAL[body]
        default: str | None = None
        if "," in body:
            name, _, rest = body.partition(",")
            rest = rest.strip()
            if len(rest) >= 2 and rest[0] == "'" and rest[-1] == "'":
                default = rest[1:-1]
            body = name.strip()
        value = lookup(body.lower())
        if value is None:
            value = default
        if value is None:
            missing = True
            return ""
        # A value's own '*' and '?' are literal, not wildcards.
        return value.replace("*", "\x01").replace("?", "\x02")

    out = _VAR.sub(repl, text)
    return UNRESOLVED if missing else out


def pattern(text: str, ignore_case: bool = False) -> re.Pattern[str]:
    """The compiled regex of one IAM wildcard string (cached, bounded)."""
    key = (text, ignore_case)
    rx = _REGEX_CACHE.get(key)
    if rx is None:
        parts = []
        for ch in text:
            if ch == "*":
                parts.append(".*")
            elif ch == "?":
                parts.append(".")
            elif ch == "\x01":
                parts.append(re.escape("*"))
            elif ch == "\x02":
                parts.append(re.escape("?"))
            else:
                parts.append(re.escape(ch))
        rx = re.compile("".join(parts), re.S | (re.I if ignore_case else 0))
        if len(_REGEX_CACHE) < 100_000:
            _REGEX_CACHE[key] = rx
    return rx


def literal(text: str) -> str:
    """A substituted string with its placeholders turned back into characters."""
    return text.replace("\x01", "*").replace("\x02", "?")


def union(texts: list[str], ignore_case: bool = False) -> Callable[[str], bool]:
    """One predicate ``s -> bool`` true when ``s`` matches any of the wildcard strings.

    Strings without wildcards go to a set (O(1)); the others are joined into one alternation.
    """
    exact: set[str] = set()
    wild: list[str] = []
    for t in texts:
        if t == UNRESOLVED:
            continue
        if t == "*":
            return _always
        if "*" in t or "?" in t:
            wild.append(t)
        else:
            exact.add(literal(t).lower() if ignore_case else literal(t))
    rx = None
    if wild:
        rx = re.compile(
            "|".join(f"(?:{pattern(w, ignore_case).pattern})" for w in wild),
            re.S | (re.I if ignore_case else 0),
        )
    if rx is None:
        if ignore_case:
            return lambda s: s.lower() in exact
        return exact.__contains__
    fm = rx.fullmatch
    if not exact:
        return lambda s: fm(s) is not None
    if ignore_case:
        return lambda s: s.lower() in exact or fm(s) is not None
    return lambda s: s in exact or fm(s) is not None


def _always(_s: str) -> bool:
    return True


def lookup_in(context: Mapping[str, object]) -> Callable[[str], str | None]:
    """A variable lookup over a request context (lower-cased keys; single values only)."""

    def lookup(name: str) -> str | None:
        v = context.get(name)
        if isinstance(v, str):
            return v
        return None

    return lookup
