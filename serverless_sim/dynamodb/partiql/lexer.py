"""Tokens of PartiQL for DynamoDB.

Models the lexical rules of the statements DynamoDB accepts
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html):
keywords in any case, ``"quoted"`` identifiers (``""`` escapes a quote), ``'strings'`` (``''``
escapes a quote), decimal numbers with an optional exponent, ``?`` parameters, ``--`` and
``/* */`` comments, and the punctuation of the grammar (``<<`` and ``>>`` delimit a bag, that is
a set literal).

PartiQL reserves the SQL-92 keywords and a few of its own; a reserved word used as a bare
attribute name is a syntax error in DynamoDB (``WHERE pad = 'x'`` fails, ``WHERE "pad" = 'x'``
works), so :data:`RESERVED` is consulted by the parser.

Complexity: O(n) in the length of the statement.
"""

from __future__ import annotations

import attrs

from ..errors import ValidationException

#: The prefix AWS gives every syntax error.
MALFORMED = "Statement wasn't well formed, can't be processed: "

#: Reserved words of PartiQL (the SQL-92 reserved words plus PartiQL's own). A bare identifier
#: spelled as one of these is not an attribute name.
RESERVED = frozenset(
    """
    absolute action add all allocate alter and any are as asc assertion at authorization avg
    bag begin between bit bit_length blob bool boolean both by can_cast can_lossless_cast cascade
    cascaded case cast catalog char char_length character character_length check clob close
    coalesce collate collation column commit connect connection constraint constraints continue
    convert corresponding count create cross current current_date current_time current_timestamp
    current_user cursor date date_add date_diff deallocate dec decimal declare default deferrable
    deferred delete desc describe descriptor diagnostics disconnect distinct domain double drop
    else end end-exec escape except exception exec execute exists external extract false fetch
    first float for foreign found from full get global go goto grant group having hour identity
    immediate in indicator initially inner input insensitive insert int integer intersect
    interval into is isolation join key language last leading left level like limit list local
    lower match max min minute missing module month names national natural nchar next no not
    null nullif numeric octet_length of on only open option or order outer output overlaps pad
    partial pivot position precision prepare preserve primary prior privileges procedure public
    read real references relative remove restrict returning revoke right rollback rows schema
    scroll second section select session session_user set sexp size smallint some space sql
    sqlcode sqlerror sqlstate string struct substring sum symbol system_user table temporary then
    time timestamp timezone_hour timezone_minute to trailing transaction translate trim true tuple
    union unique unknown unpivot update upper usage user using value values view when whenever
    where with work write year zone
    """.split()
)


@attrs.frozen
class Token:
    """One token: ``kind`` is ``ident``, ``qident``, ``string``, ``number``, ``param``, ``punct``
    or ``eof``; ``text`` is the token's value (unquoted for identifiers and strings)."""

    kind: str
    text: str
    pos: int

    def is_kw(self, *words: str) -> bool:
        """True if this is a bare identifier spelling one of ``words`` (case-insensitive)."""
        return self.kind == "ident" and self.text.lower() in words

    def is_punct(self, *symbols: str) -> bool:
        return self.kind == "punct" and self.text in symbols


_PUNCT2 = ("<<", ">>", "<=", ">=", "<>", "!=", "||")
_PUNCT1 = "()[]{},.:;*?=<>+-/%"


def malformed(detail: str) -> ValidationException:
    """The ValidationException AWS gives a statement it cannot parse."""
    return ValidationException(MALFORMED + detail)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``eof`` token.

    Raises :class:`ValidationException` ("Statement wasn't well formed...") on an unterminated
    string, identifier or comment, or a character outside the language.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise malformed("Unterminated comment")
            i = j + 2
            continue
        start = i
        if c == "'" or c == '"':
            quote = c
            buf: list[str] = []
            i += 1
            while True:
                if i >= n:
                    raise malformed(
                        "Unterminated string" if quote == "'" else "Unterminated quoted identifier"
                    )
                ch = text[i]
                if ch == quote:
                    if i + 1 < n and text[i + 1] == quote:
                        buf.append(quote)
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(ch)
                i += 1
            tokens.append(Token("string" if quote == "'" else "qident", "".join(buf), start))
            continue
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            while i < n and text[i].isdigit():
                i += 1
            if i < n and text[i] == ".":
                i += 1
                while i < n and text[i].isdigit():
                    i += 1
            if i < n and text[i] in "eE":
                j = i + 1
                if j < n and text[j] in "+-":
                    j += 1
                if j < n and text[j].isdigit():
                    i = j
                    while i < n and text[i].isdigit():
                        i += 1
            if i < n and (text[i].isalpha() or text[i] == "_"):
                raise malformed(f"Invalid number literal at position {start}")
            tokens.append(Token("number", text[start:i], start))
            continue
        if c.isalpha() or c == "_" or c == "$":
            while i < n and (text[i].isalnum() or text[i] in "_$"):
                i += 1
            tokens.append(Token("ident", text[start:i], start))
            continue
        two = text[i : i + 2]
        if two in _PUNCT2:
            tokens.append(Token("punct", two, start))
            i += 2
            continue
        if c in _PUNCT1:
            tokens.append(Token("param" if c == "?" else "punct", c, start))
            i += 1
            continue
        raise malformed(f"Unexpected character {c!r} at position {start}")
    tokens.append(Token("eof", "", n))
    return tokens
