"""Route matching: AWS's precedence examples, REST fall-through, and a property test against a
brute-force reference on random route tables."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from serverless_sim.apigateway.router import Router, split_template


def table(*keys: str) -> Router[str]:
    r: Router[str] = Router()
    for k in keys:
        m, p = k.split(" ", 1)
        r.add(m, p, k)
    return r


def winner(r: Router[str], method: str, path: str) -> tuple[str, dict[str, str]] | None:
    m = r.match(method, path)
    return None if m is None else (m[0].target, m[1])


def test_http_api_documented_example():
    # https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
    r = table("GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}")
    assert winner(r, "GET", "/pets/dog/1") == ("GET /pets/dog/1", {})
    assert winner(r, "GET", "/pets/dog/2") == ("GET /pets/dog/{id}", {"id": "2"})
    assert winner(r, "GET", "/pets/cat/1") == ("GET /pets/{proxy+}", {"proxy": "cat/1"})
    assert winner(r, "POST", "/pets/dog/1") == ("ANY /{proxy+}", {"proxy": "pets/dog/1"})


def test_explicit_method_beats_any_on_the_same_path():
    r = table("ANY /items", "GET /items")
    assert winner(r, "GET", "/items")[0] == "GET /items"
    assert winner(r, "DELETE", "/items")[0] == "ANY /items"


def test_rest_fall_through_on_resource_and_method():
    # a more specific resource without the verb falls through to a generic one that has it
    r = table("POST /items/special", "GET /items/{id}", "GET /{proxy+}")
    assert winner(r, "GET", "/items/special") == ("GET /items/{id}", {"id": "special"})
    assert winner(r, "GET", "/other/x") == ("GET /{proxy+}", {"proxy": "other/x"})


def test_greedy_needs_a_segment_and_root_is_its_own_route():
    r = table("ANY /{proxy+}", "GET /a/{rest+}")
    assert winner(r, "GET", "/") is None
    assert winner(r, "GET", "/a") == ("ANY /{proxy+}", {"proxy": "a"})
    assert winner(r, "GET", "/a/b/c") == ("GET /a/{rest+}", {"rest": "b/c"})
    r.add("GET", "/", "GET /")
    assert winner(r, "GET", "/")[0] == "GET /"


def test_parameters_are_percent_decoded_and_trailing_slash_ignored():
    r = table("GET /files/{name}")
    assert winner(r, "GET", "/files/a%20b/") == ("GET /files/{name}", {"name": "a b"})
    assert winner(r, "GET", "/files//") is None


def test_greedy_must_be_last():
    r: Router[str] = Router()
    try:
        r.add("GET", "/{p+}/x", "bad")
    except ValueError:
        pass
    else:
        raise AssertionError("accepted a greedy variable before the end")


# -- property: the trie agrees with a brute-force reference ---------------------------------
def reference(routes: list[tuple[str, str]], method: str, path: str) -> str | None:
    segs = [s for s in path.strip("/").split("/")] if path.strip("/") else []
    best = None
    for m, template in routes:
        parts = split_template(template)
        rank: list[int] = []
        ok = True
        for i, (kind, text) in enumerate(parts):
            if kind == 2:
                ok = i < len(segs)
                rank.append(2)
                break
            if i >= len(segs):
                ok = False
                break
            if kind == 0 and segs[i] != text:
                ok = False
                break
            if kind == 1 and not segs[i]:
                ok = False
                break
            rank.append(kind)
        else:
            ok = ok and len(parts) == len(segs)
        if not ok or m not in (method, "ANY"):
            continue
        key = (tuple(rank), 0 if m == method else 1)
        if best is None or key < best[0]:
            best = (key, f"{m} {template}")
    return None if best is None else best[1]


segment = st.sampled_from(["a", "b", "c", "{x}", "{y}", "{p+}"])
templates = st.lists(segment, min_size=0, max_size=4).map(
    lambda parts: "/" + "/".join(parts[: parts.index("{p+}") + 1] if "{p+}" in parts else parts))
routes = st.lists(st.tuples(st.sampled_from(["GET", "POST", "ANY"]), templates), min_size=1, max_size=25)
paths = st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=0, max_size=5).map(lambda s: "/" + "/".join(s))


@settings(max_examples=300, deadline=None)
@given(routes, st.lists(st.tuples(st.sampled_from(["GET", "POST", "PUT"]), paths), min_size=1, max_size=10))
def test_matches_brute_force_reference(table_spec, requests):
    r: Router[str] = Router()
    seen: dict[tuple[str, tuple[tuple[int, str], ...]], str] = {}
    uniq: list[tuple[str, str]] = []
    for m, t in table_spec:
        # one entry per (method, template shape): later definitions replace earlier ones
        shape = tuple((k, "" if k else v) for k, v in split_template(t))
        key = (m, shape)
        if key in seen:
            uniq = [(mm, tt) for mm, tt in uniq if not (mm == m and tuple((k, "" if k else v) for k, v in split_template(tt)) == shape)]
        seen[key] = t
        uniq.append((m, t))
        r.add(m, t, f"{m} {t}")
    for method, path in requests:
        got = r.match(method, path)
        expected = reference(uniq, method, path)
        assert (None if got is None else got[0].target) == expected, (uniq, method, path)
