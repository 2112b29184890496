"""Recursive-descent parsers for condition, key-condition, projection and update expressions.

Grammar and precedence follow
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
(``OR`` < ``AND`` < ``NOT`` < comparisons/``BETWEEN``/``IN``/functions, parentheses) and
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html.
Keywords are case-insensitive; function names are case-sensitive and checked when the tree is
bound. Text-only errors are raised here with AWS's wording: empty expression, 4 KB size limit,
syntax errors (``token``/``near``), reserved words used as bare names, redundant parentheses,
more than 300 operators, duplicate update clauses, paths deeper than 32 levels, IN lists over
100 operands. A parse depends only on (kind, text), so results are cached in a bounded LRU.
Parsing is O(len(text)); recursion depth is bounded by the 4 KB limit and the redundant
parentheses rule.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import ValidationException
from .nodes import (
    AndNode,
    ArithNode,
    BetweenNode,
    CompareNode,
    FuncCondNode,
    FuncNode,
    InNode,
    NotNode,
    OrNode,
    ParenNode,
    ParsedExpression,
    PathNode,
    UpdateAction,
    ValueNode,
)
from .reserved import RESERVED_WORDS
from .tokens import ATTR_NAME, ATTR_VALUE, EOF, NAME, NUMBER, OP, Token, syntax_error, tokenize

MAX_EXPRESSION_BYTES = 4096
MAX_OPERATORS = 300
MAX_PATH_DEPTH = 32
MAX_IN_OPERANDS = 100
MAX_LIST_INDEX = 2**31 - 1

COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
_CONDITION_KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
UPDATE_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
_CACHE_SIZE = 4096


def invalid(kind: str, message: str) -> ValidationException:
    """``Invalid <kind>: <message>`` as AWS words expression errors."""
    return ValidationException(f"Invalid {kind}: {message}")


def check_text(kind: str, text: object) -> str:
    """Common checks on an expression string before parsing (type, size, emptiness)."""
    if not isinstance(text, str):
        raise ValidationException(f"Invalid {kind}: The expression must be a string;")
    size = len(text) if text.isascii() else len(text.encode("utf-8"))
    if size > MAX_EXPRESSION_BYTES:
        raise invalid(
            kind, f"Expression size has exceeded the maximum allowed size; expression size: {size}"
        )
    if not text.strip():
        raise invalid(kind, "The expression can not be empty;")
    return text


class _Parser:
    __slots__ = ("kind", "text", "tokens", "pos", "ops", "reserved", "placeholders", "depth")

    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text
        self.tokens: list[Token] = tokenize(text)
        self.pos = 0
        self.ops = 0
        self.reserved: str | None = None
        self.placeholders: list[str] = []
        self.depth = 0

    # -- helpers -----------------------------------------------------------------------------
    def error(self, index: int | None = None) -> ValidationException:
        return syntax_error(self.kind, self.text, self.tokens, self.pos if index is None else index)

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def next(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect_op(self, text: str) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind != OP or tok.text != text:
            raise self.error()
        self.pos += 1
        return tok

    def is_op(self, text: str) -> bool:
        tok = self.tokens[self.pos]
        return tok.kind == OP and tok.text == text

    def is_keyword(self, word: str) -> bool:
        tok = self.tokens[self.pos]
        return tok.kind == NAME and tok.text.upper() == word

    def count_op(self) -> None:
        self.ops += 1
        if self.ops > MAX_OPERATORS:
            raise invalid(
                self.kind, f"The expression contains too many operators; operator count: {self.ops}"
            )

    def finish(self) -> None:
        if self.tokens[self.pos].kind != EOF:
            raise self.error()
        if self.reserved is not None:
            raise invalid(
                self.kind, f"Attribute name is a reserved keyword; reserved keyword: {self.reserved}"
            )

    # -- paths and operands ------------------------------------------------------------------
    def path_element(self) -> str:
        tok = self.tokens[self.pos]
        if tok.kind == NAME:
            if self.reserved is None and tok.text.upper() in RESERVED_WORDS:
                self.reserved = tok.text
            self.pos += 1
            return tok.text
        if tok.kind == ATTR_NAME:
            self.placeholders.append(tok.text)
            self.pos += 1
            return tok.text
        raise self.error()

    def path(self) -> PathNode:
        start = self.tokens[self.pos].start
        elems: list[object] = [self.path_element()]
        tokens = self.tokens
        while True:
            tok = tokens[self.pos]
            if tok.kind != OP:
                break
            if tok.text == ".":
                self.pos += 1
                elems.append(self.path_element())
            elif tok.text == "[":
                self.pos += 1
                num = tokens[self.pos]
                if num.kind != NUMBER:
                    raise self.error()
                self.pos += 1
                self.expect_op("]")
                index = int(num.text)
                if index > MAX_LIST_INDEX:
                    raise invalid(
                        self.kind,
                        f"List index is not within the allowable range; index: [{num.text}]",
                    )
                elems.append(index)
            else:
                break
        if len(elems) > MAX_PATH_DEPTH:
            raise invalid(
                self.kind,
                f"The document path has too many nesting levels; nesting levels: {len(elems)}",
            )
        return PathNode(tuple(elems), start, tokens[self.pos - 1].end)

    def operand(self, nested: bool = False) -> object:
        """``path | :value | name(args)``; function arguments are operands again."""
        tok = self.tokens[self.pos]
        if tok.kind == ATTR_VALUE:
            self.pos += 1
            self.placeholders.append(tok.text)
            return ValueNode(tok.text, tok.start, tok.end)
        if tok.kind == NAME:
            nxt = self.tokens[self.pos + 1]
            if nxt.kind == OP and nxt.text == "(":
                return self.function(nested)
            if tok.text.upper() in _CONDITION_KEYWORDS and self.kind != "ProjectionExpression":
                raise self.error()
            return self.path()
        if tok.kind == ATTR_NAME:
            return self.path()
        raise self.error()

    def function(self, nested: bool) -> FuncNode:
        name_tok = self.next()
        self.pos += 1  # "("
        if not nested:
            self.count_op()
        # Nested calls are not counted as operators by AWS; bound their depth all the same.
        self.depth += 1
        if self.depth > MAX_OPERATORS:
            raise invalid(
                self.kind,
                f"The expression contains too many operators; operator count: {MAX_OPERATORS + 1}",
            )
        args = [self.operand(nested=True)]
        while self.is_op(","):
            self.pos += 1
            args.append(self.operand(nested=True))
        end = self.expect_op(")").end
        self.depth -= 1
        return FuncNode(name_tok.text, tuple(args), name_tok.start, end)

    # -- conditions --------------------------------------------------------------------------
    def condition(self) -> object:
        # AND binds tighter than OR; both parsed in one loop so that each level of parentheses
        # costs two Python frames (deep but legal nesting stays far from the recursion limit).
        or_node: object = None
        and_node = self.unary()
        while True:
            tok = self.tokens[self.pos]
            word = tok.text.upper() if tok.kind == NAME else ""
            if word == "AND":
                self.pos += 1
                self.count_op()
                and_node = AndNode(and_node, self.unary())
            elif word == "OR":
                self.pos += 1
                self.count_op()
                or_node = and_node if or_node is None else OrNode(or_node, and_node)
                and_node = self.unary()
            else:
                break
        return and_node if or_node is None else OrNode(or_node, and_node)

    def unary(self) -> object:
        nots = 0
        while self.is_keyword("NOT"):
            self.pos += 1
            self.count_op()
            nots += 1
        node = self.primary()
        for _ in range(nots):
            node = NotNode(node)
        return node

    def primary(self) -> object:
        if self.is_op("("):
            self.pos += 1
            # Each legal level of parentheses needs an operator (AND/OR/NOT) or is redundant,
            # so nesting deeper than the operator limit is necessarily redundant.
            self.depth += 1
            if self.depth > MAX_OPERATORS + 1:
                raise invalid(self.kind, "The expression has redundant parentheses;")
            inner = self.condition()
            self.depth -= 1
            self.expect_op(")")
            if type(inner) is ParenNode:
                raise invalid(self.kind, "The expression has redundant parentheses;")
            return ParenNode(inner)
        left = self.operand()
        tok = self.tokens[self.pos]
        if tok.kind == OP and tok.text in COMPARATORS:
            self.pos += 1
            self.count_op()
            return CompareNode(tok.text, left, self.operand())
        if tok.kind == NAME:
            word = tok.text.upper()
            if word == "BETWEEN":
                self.pos += 1
                self.count_op()
                low = self.operand()
                if not self.is_keyword("AND"):
                    raise self.error()
                self.pos += 1
                return BetweenNode(left, low, self.operand())
            if word == "IN":
                self.pos += 1
                self.count_op()
                self.expect_op("(")
                options = [self.operand()]
                while self.is_op(","):
                    self.pos += 1
                    options.append(self.operand())
                self.expect_op(")")
                if len(options) > MAX_IN_OPERANDS:
                    raise invalid(
                        self.kind,
                        "The IN operator is provided with too many operands; "
                        f"number of operands: {len(options)}",
                    )
                return InNode(left, tuple(options))
        if type(left) is FuncNode:
            return FuncCondNode(left)
        raise self.error()

    # -- projection --------------------------------------------------------------------------
    def projection(self) -> tuple:
        paths = [self.path()]
        while self.is_op(","):
            self.pos += 1
            paths.append(self.path())
        return tuple(paths)

    # -- update ------------------------------------------------------------------------------
    def update(self) -> tuple:
        actions: list[UpdateAction] = []
        seen: set[str] = set()
        while True:
            tok = self.tokens[self.pos]
            if tok.kind == EOF and actions:
                break
            word = tok.text.upper() if tok.kind == NAME else ""
            if word not in UPDATE_CLAUSES:
                raise self.error()
            if word in seen:
                raise invalid(
                    self.kind,
                    f'The "{word}" section can only be used once in an update expression;',
                )
            seen.add(word)
            self.pos += 1
            while True:
                actions.append(self.update_action(word))
                if not self.is_op(","):
                    break
                self.pos += 1
        return tuple(actions)

    def update_action(self, clause: str) -> UpdateAction:
        path = self.path()
        if clause == "SET":
            self.expect_op("=")
            value: object = self.operand()
            tok = self.tokens[self.pos]
            if tok.kind == OP and (tok.text == "+" or tok.text == "-"):
                self.pos += 1
                self.count_op()
                value = ArithNode(tok.text, value, self.operand())
            return UpdateAction(clause, path, value)
        if clause == "REMOVE":
            return UpdateAction(clause, path, None)
        tok = self.tokens[self.pos]
        if tok.kind != ATTR_VALUE:
            raise self.error()
        self.pos += 1
        self.placeholders.append(tok.text)
        return UpdateAction(clause, path, ValueNode(tok.text, tok.start, tok.end))


@lru_cache(maxsize=_CACHE_SIZE)
def parse_condition(text: str, kind: str = "ConditionExpression") -> ParsedExpression:
    """Parse a ConditionExpression, FilterExpression or KeyConditionExpression (cached)."""
    check_text(kind, text)
    p = _Parser(kind, text)
    root = p.condition()
    p.finish()
    return ParsedExpression(kind, text, root, tuple(p.placeholders))


@lru_cache(maxsize=_CACHE_SIZE)
def parse_projection(text: str, kind: str = "ProjectionExpression") -> ParsedExpression:
    """Parse a ProjectionExpression (cached)."""
    check_text(kind, text)
    p = _Parser(kind, text)
    root = p.projection()
    p.finish()
    return ParsedExpression(kind, text, root, tuple(p.placeholders))


@lru_cache(maxsize=_CACHE_SIZE)
def parse_update(text: str, kind: str = "UpdateExpression") -> ParsedExpression:
    """Parse an UpdateExpression (cached)."""
    check_text(kind, text)
    p = _Parser(kind, text)
    root = p.update()
    p.finish()
    return ParsedExpression(kind, text, root, tuple(p.placeholders))
