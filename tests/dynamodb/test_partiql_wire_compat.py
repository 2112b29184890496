"""The requests PartiQL generates are valid for the engine's expression layer.

Every expression the translator emits is parsed and bound by the engine's
:class:`~serverless_sim.dynamodb.expressions.ExpressionContext` (which also rejects unused
placeholders), and the evaluator used for post-read filters agrees with the engine's condition
evaluator on random conditions and items.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim.dynamodb.errors import ValidationException
from serverless_sim.dynamodb.partiql import parse
from serverless_sim.dynamodb.partiql.evaluate import matches
from serverless_sim.dynamodb.partiql.translate import Placeholders, plan_select, plan_write

expressions = pytest.importorskip("serverless_sim.dynamodb.expressions")

from test_partiql_translate import _condition, lookup  # noqa: E402


def check_request(request: dict, hash_key: str | None = None, range_key: str | None = None) -> None:
    ctx = expressions.ExpressionContext(
        request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues")
    )
    if "KeyConditionExpression" in request:
        ctx.key_condition(request["KeyConditionExpression"], hash_key, range_key)
    if "FilterExpression" in request:
        ctx.condition(request["FilterExpression"], "FilterExpression")
    if "ConditionExpression" in request:
        ctx.condition(request["ConditionExpression"])
    if "ProjectionExpression" in request:
        ctx.projection(request["ProjectionExpression"])
    if "UpdateExpression" in request:
        ctx.update(request["UpdateExpression"])
    ctx.finish()


STATEMENTS = [
    "SELECT * FROM Music",
    "SELECT a.b[2], \"size\" FROM Music WHERE x > 1 AND (y IS MISSING OR z IS NULL)",
    "SELECT * FROM Music WHERE Artist = 'A' AND SongTitle BETWEEN 'a' AND 'b' AND Plays > 3",
    "SELECT * FROM Music WHERE Artist IN ['A', 'B'] AND begins_with(SongTitle, 'x') "
    "AND contains(Tags, 'q') AND attribute_type(Plays, 'N') AND size(Tags) > 1",
    "SELECT x FROM Music WHERE Artist = 'A' AND SongTitle > 'a' AND SongTitle < 'z'",
    "SELECT * FROM \"Music\".\"byAwards\" WHERE AwardsWon = 3 AND Artist <= 'M' AND NOT x = 1",
    "SELECT Total FROM Orders WHERE OrderID = 1",
    "INSERT INTO Music VALUE {'Artist': 'A', 'SongTitle': 'B', 'L': [1, <<'a'>>]}",
    "UPDATE Music SET Plays = Plays + 1, L = list_append(L, [1]), T = set_add(T, <<'x'>>) "
    "REMOVE Old[0], m.k SET D = set_delete(D, <<1>>) WHERE Artist = 'A' AND SongTitle = 'B' "
    "AND Plays < 5",
    "DELETE FROM Music WHERE Artist = 'A' AND SongTitle = 'B' AND x IN [1, 2]",
    "EXISTS(SELECT * FROM Music WHERE Artist = 'A' AND SongTitle = 'B' AND x IS NOT MISSING)",
]


@pytest.mark.parametrize("text", STATEMENTS)
def test_generated_requests_are_accepted_by_the_expression_layer(text):
    stmt = parse(text)
    if type(stmt).__name__ == "Select":
        plan = plan_select(stmt, [], lookup)
        info = lookup(stmt.table)
        schema = info.indexes[stmt.index] if stmt.index else info.key
        for request in plan.requests:
            check_request(request, schema.hash[0], schema.range[0] if schema.range else None)
    else:
        check_request(plan_write(stmt, [], lookup).request)


_VALUES = st.sampled_from([
    {"S": "A"}, {"S": "s"}, {"S": ""}, {"N": "1"}, {"N": "2.5"}, {"N": "-3"}, {"SS": ["a", "s"]},
    {"NS": ["1", "2"]}, {"NULL": True}, {"BOOL": True}, {"L": [{"N": "1"}, {"S": "a"}]},
    {"M": {"y": {"L": [{"N": "1"}]}}},
])
_ITEMS = st.dictionaries(
    st.sampled_from(["Artist", "SongTitle", "Year", "AwardsWon", "x"]), _VALUES, max_size=5
)


@settings(max_examples=300, deadline=None)
@given(_condition(), _ITEMS)
def test_post_filter_evaluator_agrees_with_the_engine(cond_text, item):
    try:
        where = parse(f"SELECT * FROM t WHERE {cond_text}").where
        if "?" in cond_text:
            return
        ph = Placeholders([])
        text = ph.condition(where)
        ctx = expressions.ExpressionContext(ph.names or None, ph.values or None)
        engine = ctx.condition(text)
    except ValidationException:
        return
    try:
        expected = engine.evaluate(item)
    except ValidationException:
        return
    assert matches(where, item, []) == expected, (cond_text, text, item)
