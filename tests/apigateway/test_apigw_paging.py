"""Paging of the control planes' list operations: REST APIs (v1) ``limit`` / ``position`` (25
per page by default, 500 at most), HTTP APIs (v2) ``MaxResults`` / ``NextToken``."""

from __future__ import annotations

import pytest

from apigw_helpers import apigw_services  # noqa: F401
from serverless_sim import Cloud
from serverless_sim.kernel.errors import AWSError


def walk(call, items_key, token_in, token_out, **kw):
    pages, token = [], None
    while True:
        page = call(**kw, **({token_in: token} if token else {}))
        pages.append([x for x in page[items_key]])
        token = page.get(token_out)
        if token is None:
            return pages


def test_v1_default_page_is_25_and_position_walks_every_item_once():
    c = Cloud().client("apigateway")
    ids = [c.create_rest_api(name=f"a{i}")["id"] for i in range(30)]
    first = c.get_rest_apis()
    assert len(first["items"]) == 25 and "position" in first
    pages = walk(c.get_rest_apis, "items", "position", "position", limit=7)
    assert [len(p) for p in pages] == [7, 7, 7, 7, 2]
    assert [a["id"] for p in pages for a in p] == [a["id"] for a in c.get_rest_apis(limit=500)["items"]]
    assert sorted(a["id"] for p in pages for a in p) == sorted(ids)
    assert "position" not in c.get_rest_apis(limit=30)


def test_v1_resources_keys_and_plans_page():
    cloud = Cloud()
    c = cloud.client("apigateway")
    api = c.create_rest_api(name="r")["id"]
    root = c.get_resources(restApiId=api)["items"][0]["id"]
    for i in range(4):
        c.create_resource(restApiId=api, parentId=root, pathPart=f"p{i}")
    paths = [r["path"] for p in walk(c.get_resources, "items", "position", "position", restApiId=api, limit=2)
             for r in p]
    assert paths == ["/", "/p0", "/p1", "/p2", "/p3"]
    keys = [c.create_api_key(name=f"k{i}", enabled=True)["id"] for i in range(3)]
    assert [k["id"] for p in walk(c.get_api_keys, "items", "position", "position", limit=2) for k in p] == keys
    plan = c.create_usage_plan(name="p")["id"]
    for k in keys:
        c.create_usage_plan_key(usagePlanId=plan, keyId=k, keyType="API_KEY")
    got = walk(c.get_usage_plan_keys, "items", "position", "position", usagePlanId=plan, limit=1)
    assert sorted(k["id"] for p in got for k in p) == sorted(keys) and len(got) == 3


@pytest.mark.parametrize("bad", [0, 501, -1])
def test_v1_limit_out_of_range_is_bad_request(bad):
    c = Cloud().client("apigateway")
    with pytest.raises(AWSError) as e:
        c.get_rest_apis(limit=bad)
    assert e.value.code == "BadRequestException"


def test_v2_max_results_and_next_token():
    cloud = Cloud()
    v2 = cloud.client("apigatewayv2")
    ids = [v2.create_api(Name=f"a{i}", ProtocolType="HTTP")["ApiId"] for i in range(5)]
    assert len(v2.get_apis()["Items"]) == 5 and "NextToken" not in v2.get_apis()  # no limit: one page
    pages = walk(v2.get_apis, "Items", "NextToken", "NextToken", MaxResults="2")
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [a["ApiId"] for p in pages for a in p] == sorted(ids)  # (creation time, id): one instant here
    with pytest.raises(AWSError) as e:
        v2.get_apis(NextToken="not-a-token")
    assert e.value.code == "BadRequestException"
    with pytest.raises(AWSError) as e:
        v2.get_apis(MaxResults="0")
    assert e.value.code == "BadRequestException"


def test_paginators_walk_the_pages():
    cloud = Cloud()
    v2 = cloud.client("apigatewayv2")
    ids = [v2.create_api(Name=f"a{i}", ProtocolType="HTTP")["ApiId"] for i in range(5)]
    pages = list(v2.get_paginator("get_apis").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["Items"]) for p in pages] == [2, 2, 1]
    c = cloud.client("apigateway")
    rest = [c.create_rest_api(name=f"r{i}")["id"] for i in range(27)]
    full = c.get_paginator("get_rest_apis").paginate().build_full_result()
    assert sorted(a["id"] for a in full["items"]) == sorted(rest) and ids
