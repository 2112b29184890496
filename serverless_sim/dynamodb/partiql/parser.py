"""Recursive-descent parser: statement text -> :mod:`.ast`.

Models the statement forms of PartiQL for DynamoDB:

- SELECT: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html
- INSERT: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.insert.html
- UPDATE: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.update.html
- DELETE: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.delete.html
- functions and operators: ql-functions.html, ql-operators.html
- EXISTS (transactions only): ql-functions.exists.html

Precedence, loosest first: OR, AND, NOT, predicates (comparison, BETWEEN, IN, IS), ``+``/``-``,
unary minus, primaries. :func:`parse` answers any text with a statement or raises
:class:`~serverless_sim.dynamodb.errors.ValidationException`; it never raises anything else.

Error texts: the syntax-error prefix ("Statement wasn't well formed, can't be processed: ") and
the specific messages quoted below are AWS's (from the message catalogue DynamoDB Local ships
with AWS's PartiQL front end); the detail after the prefix is ours.

Complexity: O(n) in the number of tokens.
"""

from __future__ import annotations

from typing import Callable

from ..errors import ValidationException
from . import ast
from .lexer import RESERVED, Token, malformed, tokenize

#: Functions DynamoDB's PartiQL knows (lower case).
FUNCTIONS = frozenset(
    {
        "begins_with",
        "contains",
        "attribute_type",
        "attribute_exists",
        "attribute_not_exists",
        "size",
        "list_append",
        "set_add",
        "set_delete",
    }
)

#: ``IS`` types (AWS: "Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC,
#: STRUCT, TUPLE, LIST]").
IS_TYPES = ("MISSING", "NULL", "BOOLEAN", "BLOB", "STRING", "NUMERIC", "STRUCT", "TUPLE", "LIST")

_COMPARATORS = {"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_UNSUPPORTED_CLAUSES = ("limit", "offset", "group", "having", "union", "intersect", "except")
_RETURNING = {
    ("all", "old"): "ALL_OLD",
    ("modified", "old"): "UPDATED_OLD",
    ("all", "new"): "ALL_NEW",
    ("modified", "new"): "UPDATED_NEW",
}

# Deep nesting is refused before Python's recursion limit is reached.
_MAX_DEPTH = 60


def parse(text: str) -> ast.Statement:
    """Parse one statement (an optional trailing ``;`` is allowed).

    Raises ValidationException for anything that is not a well-formed, supported statement.
    """
    if not isinstance(text, str):
        raise ValidationException("Statement must be a string")
    try:
        return _Parser(tokenize(text)).statement()
    except RecursionError:  # pragma: no cover - guarded by _MAX_DEPTH
        raise malformed("Expression is too deeply nested") from None


def count_parameters(text: str) -> int:
    """The number of ``?`` parameters in ``text`` (outside strings, identifiers and comments)."""
    return sum(1 for t in tokenize(text) if t.kind == "param")


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.params = 0
        self.depth = 0

    # --- token helpers ---------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.pos + k, len(self.tokens) - 1)]

    def advance(self) -> Token:
        t = self.tokens[self.pos]
        if t.kind != "eof":
            self.pos += 1
        return t

    def unexpected(self) -> ValidationException:
        t = self.tok
        if t.kind == "eof":
            return malformed("Unexpected end of statement")
        shown = {"string": f"'{t.text}'", "qident": f'"{t.text}"'}.get(t.kind, t.text)
        if t.kind == "ident" and t.text.lower() in RESERVED:
            return malformed(f"Unexpected keyword: {shown}")
        return malformed(f"Unexpected token: {shown}")

    def accept_kw(self, *words: str) -> bool:
        if self.tok.is_kw(*words):
            self.advance()
            return True
        return False

    def expect_kw(self, word: str) -> None:
        if not self.accept_kw(word):
            if self.tok.kind == "eof":
                raise malformed(f"Expected {word.upper()}")
            raise self.unexpected()

    def accept_punct(self, *symbols: str) -> bool:
        if self.tok.is_punct(*symbols):
            self.advance()
            return True
        return False

    def expect_punct(self, symbol: str) -> None:
        if not self.accept_punct(symbol):
            raise self.unexpected()

    def nested(self, fn: Callable[[], ast.Expr]) -> ast.Expr:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise malformed("Expression is too deeply nested")
        try:
            return fn()
        finally:
            self.depth -= 1

    # --- statements ------------------------------------------------------------------------

    def statement(self) -> ast.Statement:
        t = self.tok
        stmt: ast.Statement
        if t.is_kw("select"):
            stmt = self.select()
        elif t.is_kw("insert"):
            stmt = self.insert()
        elif t.is_kw("update"):
            stmt = self.update()
        elif t.is_kw("delete"):
            stmt = self.delete()
        elif t.is_kw("exists"):
            self.advance()
            self.expect_punct("(")
            if not self.tok.is_kw("select"):
                raise ValidationException("Unsupported operation in transaction.")
            stmt = ast.Exists(self.select())
            self.expect_punct(")")
        elif t.kind == "eof":
            raise malformed("Empty statement")
        elif t.kind == "ident" and t.text.lower() in ("upsert", "replace", "create", "drop",
                                                         "alter", "begin", "commit", "with"):
            raise ValidationException(f"Unsupported operation: {t.text.upper()}")
        else:
            raise malformed("Expected data manipulation")
        self.accept_punct(";")
        if self.tok.kind != "eof":
            if self.tok.kind == "ident" and self.tok.text.lower() in _UNSUPPORTED_CLAUSES:
                raise ValidationException(f"Unsupported clause: {self.tok.text.upper()}")
            raise self.unexpected()
        return stmt

    def source(self) -> tuple[str, str | None]:
        """``"table"`` or ``"table"."index"`` (an unquoted name works when not reserved)."""
        table = self.name("table name")
        index = None
        if self.accept_punct("."):
            if self.tok.is_punct("*"):
                raise ValidationException(
                    "Invalid path dot component in this operation, expecting either an "
                    "IDENTIFIER or STAR."
                )
            index = self.name("index name")
            if self.tok.is_punct(".", "["):
                raise ValidationException("A path may contain at most 2 components in the FROM clause")
        if self.tok.is_kw("as") or (
            self.tok.kind in ("ident", "qident") and not self.tok.is_kw(*RESERVED)
        ):
            raise ValidationException("Aliasing is not supported")
        if self.tok.is_punct(","):
            raise ValidationException("Only select from a single table or index is supported.")
        return table, index

    def name(self, what: str) -> str:
        t = self.tok
        if t.kind == "qident":
            self.advance()
            return t.text
        if t.kind == "ident" and t.text.lower() not in RESERVED:
            self.advance()
            return t.text
        if t.kind == "eof":
            raise malformed(f"Expected {what}")
        raise self.unexpected()

    def select(self) -> ast.Select:
        self.expect_kw("select")
        if self.tok.is_kw("value", "pivot", "distinct", "all"):
            if self.tok.is_kw("value", "pivot"):
                raise ValidationException("Select projection doesn't support value or pivot keywords")
            raise self.unexpected()
        projection: list[ast.Path] = []
        star = False
        while True:
            if self.accept_punct("*"):
                star = True
            else:
                projection.append(self.projected_path())
            if not self.accept_punct(","):
                break
        if star:
            if projection:
                raise ValidationException(
                    "Other attributes should not be present in the projection when '*' is used."
                )
        else:
            seen: set[str] = set()
            for p in projection:
                label = p.label()
                if label in seen:
                    raise ValidationException(f"Duplicate identifiers in select clause: {label}")
                seen.add(label)
        self.expect_kw("from")
        table, index = self.source()
        where = None
        if self.accept_kw("where"):
            where = self.expr()
        order: list[tuple[ast.Path, bool]] = []
        if self.accept_kw("order"):
            self.expect_kw("by")
            while True:
                e = self.expr()
                if not isinstance(e, ast.Path):
                    raise ValidationException(
                        f"Argument to ORDER BY must be of type VariableReference. Type: "
                        f"{type(e).__name__}"
                    )
                desc = False
                if self.accept_kw("desc"):
                    desc = True
                else:
                    self.accept_kw("asc")
                order.append((e, desc))
                if not self.accept_punct(","):
                    break
        return ast.Select(table, index, None if star else tuple(projection), where, tuple(order))

    def projected_path(self) -> ast.Path:
        e = self.additive()
        if not isinstance(e, ast.Path):
            raise malformed("Expected an attribute name or document path in the select list")
        if self.tok.is_kw("as") or self.tok.kind in ("ident", "qident") and not self.tok.is_kw(
            "from"
        ):
            raise ValidationException("Aliasing is not supported")
        return e

    def insert(self) -> ast.Insert:
        self.expect_kw("insert")
        self.expect_kw("into")
        table, index = self.source()
        if index is not None:
            raise ValidationException(
                "FROM clause may only contain a single table name in data manipulation statements"
            )
        if self.tok.is_kw("values") or self.tok.is_punct("<<"):
            raise ValidationException(
                'Unsupported operation: Inserting multiple items in a single statement is not '
                'supported, use "INSERT INTO tableName VALUE item" instead'
            )
        self.expect_kw("value")
        item = self.expr()
        if not isinstance(item, (ast.TupleValue, ast.Param)):
            raise ValidationException(
                "Unsupported format in item expression. Please use struct format {...} to "
                "express item values for insert statement."
            )
        if self.tok.is_kw("at"):
            raise ValidationException("AT is not supported in insert statements.")
        if self.tok.is_kw("returning"):
            raise ValidationException("RETURNING is not supported in INSERT")
        if self.tok.is_kw("from", "where"):
            raise ValidationException("Unsupported FROM ... WHERE ... clause in INSERT statement.")
        return ast.Insert(table, item)

    def update(self) -> ast.Update:
        self.expect_kw("update")
        table, index = self.source()
        if index is not None:
            raise ValidationException(
                "FROM clause may only contain a single table name in data manipulation statements"
            )
        actions: list[ast.SetAction | ast.RemoveAction] = []
        while True:
            if self.accept_kw("set"):
                while True:
                    path = self.path_only()
                    self.expect_punct("=")
                    actions.append(ast.SetAction(path, self.additive()))
                    if not self.accept_punct(","):
                        break
            elif self.accept_kw("remove"):
                while True:
                    actions.append(ast.RemoveAction(self.path_only()))
                    if not self.accept_punct(","):
                        break
            elif self.tok.is_kw("add", "delete"):
                raise ValidationException(
                    "Only SET and REMOVE are supported in update expressions at this time"
                )
            else:
                break
        if not actions:
            raise self.unexpected() if self.tok.kind != "eof" else malformed("Expected SET or REMOVE")
        where = self.expr() if self.accept_kw("where") else None
        returning = self.returning()
        return ast.Update(table, tuple(actions), where, returning)

    def delete(self) -> ast.Delete:
        self.expect_kw("delete")
        self.expect_kw("from")
        table, index = self.source()
        if index is not None:
            raise ValidationException(
                "FROM clause may only contain a single table name in data manipulation statements"
            )
        where = self.expr() if self.accept_kw("where") else None
        start = self.pos
        returning = self.returning()
        if returning is not None and returning != "ALL_OLD":
            words = " ".join(t.text.upper() for t in self.tokens[start + 1 : self.pos])
            raise ValidationException(
                f"Invalid returning clause: RETURNING {words}. Only RETURNING ALL OLD * is "
                "allowed in DELETE statements."
            )
        return ast.Delete(table, where, returning)

    def returning(self) -> str | None:
        if not self.accept_kw("returning"):
            return None
        first = self.tok
        if not first.is_kw("all", "modified"):
            raise self.unexpected()
        self.advance()
        second = self.tok
        if not second.is_kw("old", "new"):
            raise self.unexpected()
        self.advance()
        if not self.accept_punct("*"):
            if self.tok.is_punct(","):
                raise ValidationException(
                    "Invalid syntax with multiple returning elements in RETURNING clause"
                )
            raise ValidationException(
                "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"
            )
        if self.tok.is_punct(","):
            raise ValidationException("Invalid syntax with multiple returning elements in RETURNING clause")
        return _RETURNING[(first.text.lower(), second.text.lower())]

    # --- expressions -----------------------------------------------------------------------

    def expr(self) -> ast.Expr:
        return self.nested(self.or_expr)

    def or_expr(self) -> ast.Expr:
        left = self.and_expr()
        while self.accept_kw("or"):
            left = ast.Or(left, self.and_expr())
        return left

    def and_expr(self) -> ast.Expr:
        left = self.not_expr()
        while self.accept_kw("and"):
            left = ast.And(left, self.not_expr())
        return left

    def not_expr(self) -> ast.Expr:
        if self.accept_kw("not"):
            return ast.Not(self.nested(self.not_expr))
        return self.predicate()

    def predicate(self) -> ast.Expr:
        left = self.additive()
        t = self.tok
        if t.kind == "punct" and t.text in _COMPARATORS:
            self.advance()
            return ast.Compare(_COMPARATORS[t.text], left, self.additive())
        negated = False
        if t.is_kw("not") and self.peek().is_kw("between", "in", "like"):
            self.advance()
            negated = True
        if self.accept_kw("between"):
            low = self.additive()
            self.expect_kw("and")
            e: ast.Expr = ast.Between(left, low, self.additive())
            return ast.Not(e) if negated else e
        if self.accept_kw("in"):
            e = ast.In(left, self.in_list())
            return ast.Not(e) if negated else e
        if self.tok.is_kw("like"):
            raise ValidationException("Unsupported operation: LIKE")
        if self.accept_kw("is"):
            neg = self.accept_kw("not")
            tt = self.tok
            if tt.kind == "ident" and tt.text.upper() in IS_TYPES:
                self.advance()
                return ast.Is(left, tt.text.upper(), neg)
            if tt.kind == "ident":
                raise ValidationException(
                    f"Unsupported data type for IS operator: {tt.text.upper()}. Supported data "
                    "types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
                )
            raise self.unexpected()
        return left

    def in_list(self) -> tuple[ast.Expr, ...]:
        if self.tok.is_punct("[", "("):
            close = "]" if self.tok.text == "[" else ")"
            self.advance()
            items: list[ast.Expr] = []
            if not self.tok.is_punct(close):
                while True:
                    items.append(self.additive())
                    if not self.accept_punct(","):
                        break
            self.expect_punct(close)
            if items:
                return tuple(items)
        raise ValidationException(
            "IN operator must have a left hand argument of type Variable Reference and right "
            "hand argument of type Seq with at least one member"
        )

    def additive(self) -> ast.Expr:
        left = self.unary()
        while self.tok.is_punct("+", "-"):
            op = self.advance().text
            left = ast.Arith(op, left, self.unary())
        return left

    def unary(self) -> ast.Expr:
        if self.tok.is_punct("-", "+"):
            sign = self.advance().text
            operand = self.nested(self.unary)
            if isinstance(operand, ast.Literal) and "N" in operand.value:
                text = operand.value["N"]
                if sign == "-":
                    text = text[1:] if text.startswith("-") else "-" + text
                return ast.Literal({"N": text})
            raise ValidationException(f"Unsupported operation: unary {sign}")
        return self.primary()

    def primary(self) -> ast.Expr:
        t = self.tok
        if t.kind == "param":
            self.advance()
            self.params += 1
            return ast.Param(self.params - 1)
        if t.kind == "string":
            self.advance()
            return ast.Literal({"S": t.text})
        if t.kind == "number":
            self.advance()
            return ast.Literal({"N": t.text})
        if t.is_punct("("):
            self.advance()
            e = self.expr()
            self.expect_punct(")")
            return e
        if t.is_punct("["):
            self.advance()
            return ast.ListValue(self.sequence("]"))
        if t.is_punct("<<"):
            self.advance()
            return ast.BagValue(self.sequence(">>"))
        if t.is_punct("{"):
            self.advance()
            return self.nested(self.tuple_body)
        if t.kind == "ident":
            low = t.text.lower()
            if self.peek().is_punct("("):
                if low in FUNCTIONS:
                    self.advance()
                    self.advance()
                    args: list[ast.Expr] = []
                    if not self.tok.is_punct(")"):
                        while True:
                            args.append(self.expr())
                            if not self.accept_punct(","):
                                break
                    self.expect_punct(")")
                    return ast.Call(low, tuple(args))
                if low == "exists":
                    raise ValidationException(
                        "EXISTS can only be used in ExecuteTransaction write requests."
                    )
                if low not in RESERVED:
                    raise ValidationException(f"Unrecognized function: {t.text}")
                raise self.unexpected()
            if low == "true" or low == "false":
                self.advance()
                return ast.Literal({"BOOL": low == "true"})
            if low == "null":
                self.advance()
                return ast.Literal({"NULL": True})
            if low == "missing":
                self.advance()
                return ast.Missing()
            if low in RESERVED:
                raise self.unexpected()
            return self.path_rest(self.advance().text)
        if t.kind == "qident":
            self.advance()
            return self.path_rest(t.text)
        raise self.unexpected()

    def sequence(self, close: str) -> tuple[ast.Expr, ...]:
        items: list[ast.Expr] = []
        if not self.tok.is_punct(close):
            while True:
                items.append(self.expr())
                if not self.accept_punct(","):
                    break
        self.expect_punct(close)
        return tuple(items)

    def tuple_body(self) -> ast.Expr:
        pairs: list[tuple[ast.Expr, ast.Expr]] = []
        if not self.tok.is_punct("}"):
            while True:
                key = self.expr()
                self.expect_punct(":")
                pairs.append((key, self.expr()))
                if not self.accept_punct(","):
                    break
        self.expect_punct("}")
        return ast.TupleValue(tuple(pairs))

    def path_only(self) -> ast.Path:
        t = self.tok
        if t.kind == "qident" or (t.kind == "ident" and t.text.lower() not in RESERVED):
            self.advance()
            return self.path_rest(t.text)
        raise self.unexpected()

    def path_rest(self, name: str) -> ast.Path:
        if name == "":
            raise ValidationException("Path component cannot be an empty string")
        steps: list[str | int] = []
        while True:
            if self.tok.is_punct("."):
                self.advance()
                t = self.tok
                if t.is_punct("*"):
                    raise ValidationException("Unpivot path component like a.*.b are not supported")
                if t.kind not in ("ident", "qident"):
                    raise self.unexpected()
                if t.text == "":
                    raise ValidationException("Path component cannot be an empty string")
                self.advance()
                steps.append(t.text)
            elif self.tok.is_punct("["):
                self.advance()
                t = self.tok
                if t.is_punct("*"):
                    raise ValidationException(
                        "Wildcard path component like a[*].b are not supported"
                    )
                if t.kind == "number" and t.text.isdigit():
                    self.advance()
                    steps.append(int(t.text))
                elif t.kind == "string":
                    if t.text == "":
                        raise ValidationException("Path component cannot be an empty string")
                    self.advance()
                    steps.append(t.text)
                elif t.is_punct("-") and self.peek().kind == "number":
                    raise ValidationException(
                        f"List index is not within the allowable range; index: [-{self.peek().text}]"
                    )
                else:
                    raise ValidationException("Unexpected path component")
                self.expect_punct("]")
            else:
                return ast.Path(name, tuple(steps))
