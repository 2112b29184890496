"""Tokenizer shared by every DynamoDB expression language.

Lexical rules (observed on DynamoDB, see ScyllaDB Alternator's test_update_expression.py):
a bare attribute or function name is ``[A-Za-z][A-Za-z0-9_]*``; ``#name`` and ``:value``
placeholders are ``#``/``:`` followed by ``[A-Za-z0-9_]+``; list indexes are decimal digits;
punctuation is ``= <> < <= > >= ( ) [ ] , . + -``. Any other character is a one-character
``ERR`` token, so that the parser reports it as AWS does
(``Syntax error; token: "!", near: "!!"``). Keywords are case-insensitive and recognised by
the parser, not here. O(len(text)).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import ValidationException

# Token kinds
NAME = "NAME"
ATTR_NAME = "ATTR_NAME"  # #name
ATTR_VALUE = "ATTR_VALUE"  # :value
NUMBER = "NUMBER"
OP = "OP"  # punctuation / operators
ERR = "ERR"
EOF = "EOF"


class Token(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<NAME>[A-Za-z][A-Za-z0-9_]*)
  | (?P<ATTR_NAME>\#[A-Za-z0-9_]+)
  | (?P<ATTR_VALUE>:[A-Za-z0-9_]+)
  | (?P<NUMBER>[0-9]+)
  | (?P<OP><>|<=|>=|[=<>()\[\],.+\-])
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens (whitespace dropped), ending with one ``EOF`` token."""
    tokens: list[Token] = []
    append = tokens.append
    pos = 0
    n = len(text)
    match = _TOKEN_RE.match
    while pos < n:
        m = match(text, pos)
        if m is None:
            append(Token(ERR, text[pos], pos, pos + 1))
            pos += 1
            continue
        kind = m.lastgroup
        end = m.end()
        if kind != "ws":
            append(Token(kind, m.group(), pos, end))  # type: ignore[arg-type]
        pos = end
    append(Token(EOF, "<EOF>", n, n))
    return tokens


def syntax_error(kind: str, text: str, tokens: list[Token], index: int) -> ValidationException:
    """AWS's syntax error for the token at ``index``.

    ``near`` spans the previous token to the next one in the original text; at end of input
    it spans the last two tokens (``Syntax error; token: "<EOF>", near: "a ="``).
    """
    tok = tokens[index]
    if tok.kind == EOF:
        real = tokens[:-1]
        if not real:
            near = ""
        else:
            near = text[real[max(0, len(real) - 2)].start : real[-1].end]
    else:
        start = tokens[index - 1].start if index > 0 else tok.start
        nxt = tokens[index + 1] if index + 1 < len(tokens) else tok
        end = nxt.end if nxt.kind != EOF else tok.end
        near = text[start:end]
    return ValidationException(
        f'Invalid {kind}: Syntax error; token: "{tok.text}", near: "{near}"'
    )
