"""Grammar of PartiQL for DynamoDB: statements, expressions, literals, errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim.dynamodb.errors import ValidationException
from serverless_sim.dynamodb.partiql import ast, parse
from serverless_sim.dynamodb.partiql.parser import count_parameters

P = ast.Path
L = ast.Literal


def S(x: str) -> ast.Literal:
    return ast.Literal({"S": x})


def N(x: str) -> ast.Literal:
    return ast.Literal({"N": x})


def error(text: str) -> str:
    with pytest.raises(ValidationException) as e:
        parse(text)
    return e.value.message


# --- SELECT ------------------------------------------------------------------------------------


def test_select_star_with_key_condition():
    assert parse('SELECT * FROM "Orders" WHERE OrderID = 100') == ast.Select(
        "Orders", None, None, ast.Compare("=", P("OrderID"), N("100"))
    )


def test_select_projection_nested_paths_and_index():
    s = parse('SELECT Devices.FireStick.DateWatched[0], "a b" FROM "WatchList"."byCustomer"')
    assert s == ast.Select(
        "WatchList", "byCustomer",
        (P("Devices", ("FireStick", "DateWatched", 0)), P("a b")), None,
    )


def test_keywords_are_case_insensitive_and_semicolon_and_comments_allowed():
    s = parse("select /* all */ * from Music -- the table\n where Artist='x';")
    assert isinstance(s, ast.Select) and s.table == "Music"


def test_order_by():
    s = parse("SELECT * FROM t WHERE pk IN [1, 2, 3] ORDER BY pk DESC, sk")
    assert s.order_by == ((P("pk"), True), (P("sk"), False))
    assert s.where == ast.In(P("pk"), (N("1"), N("2"), N("3")))


def test_operators_and_precedence():
    s = parse("SELECT * FROM t WHERE a = 1 OR NOT b <> 2 AND c BETWEEN 1 AND 5")
    assert s.where == ast.Or(
        ast.Compare("=", P("a"), N("1")),
        ast.And(ast.Not(ast.Compare("<>", P("b"), N("2"))), ast.Between(P("c"), N("1"), N("5"))),
    )


def test_bang_equals_is_not_equals():
    assert parse("SELECT * FROM t WHERE a != 1").where == ast.Compare("<>", P("a"), N("1"))


def test_not_in_and_not_between():
    w = parse("SELECT * FROM t WHERE a NOT IN (1, 2) AND b NOT BETWEEN 1 AND 2").where
    assert w == ast.And(
        ast.Not(ast.In(P("a"), (N("1"), N("2")))), ast.Not(ast.Between(P("b"), N("1"), N("2")))
    )


def test_functions_and_is_missing():
    w = parse(
        "SELECT * FROM t WHERE begins_with(a, 'x') AND contains(\"b\", 'y') AND "
        "attribute_type(c, 'S') AND size(d) > 3 AND e IS MISSING AND f IS NOT MISSING"
    ).where
    parts = []
    while isinstance(w, ast.And):
        parts.insert(0, w.right)
        w = w.left
    parts.insert(0, w)
    assert parts == [
        ast.Call("begins_with", (P("a"), S("x"))),
        ast.Call("contains", (P("b"), S("y"))),
        ast.Call("attribute_type", (P("c"), S("S"))),
        ast.Compare(">", ast.Call("size", (P("d"),)), N("3")),
        ast.Is(P("e"), "MISSING"),
        ast.Is(P("f"), "MISSING", negated=True),
    ]


def test_literals():
    s = parse(
        "INSERT INTO t VALUE {'pk': 'a''b', 'n': -1.5e3, 't': true, 'f': FALSE, 'z': NULL, "
        "'l': [1, 'x'], 'm': {'k': 2}, 'ns': <<1, 2>>, 'ss': <<'a'>>, 'p': ?}"
    )
    assert s == ast.Insert("t", ast.TupleValue((
        (S("pk"), S("a'b")),
        (S("n"), N("-1.5e3")),
        (S("t"), L({"BOOL": True})),
        (S("f"), L({"BOOL": False})),
        (S("z"), L({"NULL": True})),
        (S("l"), ast.ListValue((N("1"), S("x")))),
        (S("m"), ast.TupleValue(((S("k"), N("2")),))),
        (S("ns"), ast.BagValue((N("1"), N("2")))),
        (S("ss"), ast.BagValue((S("a"),))),
        (S("p"), ast.Param(0)),
    )))


def test_parameters_are_numbered_in_text_order():
    s = parse("SELECT * FROM t WHERE a = ? AND b IN [?, ?] AND c = '?'")
    assert s.where == ast.And(
        ast.And(ast.Compare("=", P("a"), ast.Param(0)), ast.In(P("b"), (ast.Param(1), ast.Param(2)))),
        ast.Compare("=", P("c"), S("?")),
    )
    assert count_parameters("SELECT * FROM t WHERE a = ? AND b IN [?, ?] AND c = '?' -- ?") == 3


def test_quoted_identifier_with_dot_is_one_name():
    assert parse('SELECT "m.z" FROM t').projection == (P("m.z"),)


def test_path_label():
    assert P("m", ("k", 1)).label() == "k[1]"
    assert P("l", (0,)).label() == "l[0]"
    assert P("m", ("z",)).label() == "z"
    assert str(P("a", ("b", 2, "c"))) == "a.b[2].c"


# --- INSERT / UPDATE / DELETE / EXISTS -----------------------------------------------------------


def test_update_with_set_remove_and_returning():
    s = parse(
        "UPDATE \"Music\" SET AwardsWon = AwardsWon + 1, Tags = set_add(Tags, <<'x'>>) "
        "REMOVE Old[2] SET L = list_append(L, [1]) "
        "WHERE Artist = 'A' AND SongTitle = 'B' RETURNING MODIFIED NEW *"
    )
    assert s == ast.Update(
        "Music",
        (
            ast.SetAction(P("AwardsWon"), ast.Arith("+", P("AwardsWon"), N("1"))),
            ast.SetAction(P("Tags"), ast.Call("set_add", (P("Tags"), ast.BagValue((S("x"),))))),
            ast.RemoveAction(P("Old", (2,))),
            ast.SetAction(P("L"), ast.Call("list_append", (P("L"), ast.ListValue((N("1"),))))),
        ),
        ast.And(ast.Compare("=", P("Artist"), S("A")), ast.Compare("=", P("SongTitle"), S("B"))),
        "UPDATED_NEW",
    )


@pytest.mark.parametrize(
    "words, value",
    [("ALL OLD", "ALL_OLD"), ("MODIFIED OLD", "UPDATED_OLD"), ("ALL NEW", "ALL_NEW"),
     ("MODIFIED NEW", "UPDATED_NEW")],
)
def test_returning_values(words, value):
    assert parse(f"UPDATE t SET a = 1 WHERE pk = 1 RETURNING {words} *").returning == value


def test_delete():
    assert parse("DELETE FROM t WHERE pk = 'a' RETURNING ALL OLD *") == ast.Delete(
        "t", ast.Compare("=", P("pk"), S("a")), "ALL_OLD"
    )


def test_exists():
    s = parse("EXISTS(SELECT * FROM t WHERE pk = 1 AND a IS MISSING)")
    assert isinstance(s, ast.Exists) and s.select.table == "t"


# --- errors (AWS texts) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "SELEC * FROM t", "SELECT * FROM", "SELECT * FROM t WHERE", "SELECT * FROM t WHERE a = ",
     "SELECT * FROM t WHERE pad = 'x'", "SELECT * FROM t; SELECT * FROM t", "'unterminated",
     "SELECT * FROM t WHERE a = 'x", "SELECT * FROM t WHERE a = #", "/* open"],
)
def test_syntax_errors_are_not_well_formed(text):
    assert error(text).startswith("Statement wasn't well formed, can't be processed: ")


def test_reserved_word_works_when_quoted():
    assert parse("SELECT * FROM t WHERE \"pad\" = 'x'").where == ast.Compare("=", P("pad"), S("x"))


@pytest.mark.parametrize(
    "text, message",
    [
        ("SELECT * FROM t LIMIT 1", "Unsupported clause: LIMIT"),
        ("SELECT *, a FROM t",
         "Other attributes should not be present in the projection when '*' is used."),
        ("SELECT m.z, z FROM t", "Duplicate identifiers in select clause: z"),
        ("SELECT a AS b FROM t", "Aliasing is not supported"),
        ("SELECT * FROM t x", "Aliasing is not supported"),
        ("SELECT VALUE a FROM t", "Select projection doesn't support value or pivot keywords"),
        ("INSERT INTO t VALUE {'a': 1} RETURNING ALL OLD *", "RETURNING is not supported in INSERT"),
        ("INSERT INTO t VALUES {'a': 1}",
         'Unsupported operation: Inserting multiple items in a single statement is not supported, '
         'use "INSERT INTO tableName VALUE item" instead'),
        ("INSERT INTO t VALUE [1]",
         "Unsupported format in item expression. Please use struct format {...} to express item "
         "values for insert statement."),
        ("DELETE FROM t WHERE pk = 1 RETURNING ALL NEW *",
         "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in "
         "DELETE statements."),
        ("UPDATE t SET a = 1 WHERE pk = 1 RETURNING ALL NEW",
         "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"),
        ("SELECT * FROM t WHERE a IN []",
         "IN operator must have a left hand argument of type Variable Reference and right hand "
         "argument of type Seq with at least one member"),
        ("SELECT * FROM t WHERE a[*].b = 1", "Wildcard path component like a[*].b are not supported"),
        ("SELECT * FROM t WHERE a IS DATE",
         "Unsupported data type for IS operator: DATE. Supported data types are [MISSING, NULL, "
         "BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"),
        ("SELECT * FROM t WHERE utcnow() = 1", "Unrecognized function: utcnow"),
        ("SELECT * FROM a.b.c", "A path may contain at most 2 components in the FROM clause"),
        ("SELECT * FROM t WHERE EXISTS(SELECT * FROM t)",
         "EXISTS can only be used in ExecuteTransaction write requests."),
    ],
)
def test_specific_errors(text, message):
    assert error(text) == message


# --- robustness ---------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    ["SELECT", "*", "FROM", '"t"', "t", "WHERE", "a", "=", "<>", "<", ">=", "1", "'x'", "?",
     "AND", "OR", "NOT", "(", ")", "[", "]", "{", "}", "<<", ">>", ",", ".", ":", "IN",
     "BETWEEN", "IS", "MISSING", "NULL", "INSERT", "INTO", "VALUE", "UPDATE", "SET", "REMOVE",
     "DELETE", "RETURNING", "ALL", "OLD", "NEW", "*", "ORDER", "BY", "DESC", "size", "begins_with",
     "EXISTS", ";", "--", "/*", "*/", "-", "+", "1.5e3", "true"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=25).map(" ".join))
def test_token_soup_gives_a_statement_or_a_validation_error(text):
    try:
        parse(text)
    except ValidationException:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_a_statement_or_a_validation_error(text):
    try:
        parse(text)
    except ValidationException:
        pass


def test_deep_nesting_is_a_validation_error():
    text = "SELECT * FROM t WHERE " + "(" * 500 + "a = 1" + ")" * 500
    assert error(text).startswith("Statement wasn't well formed")
    text = "SELECT * FROM t WHERE " + "NOT " * 2000 + "a = 1"
    with pytest.raises(ValidationException):
        parse(text)
