"""Shared checks for the bridge / HTTP endpoint shape-conformance tests.

``conformance_problems(session, records)`` checks that every recorded response (success or
error) is what botocore's parser could produce from the service model; ``compare_bridge_http``
runs one scenario through the bridge and over the HTTP endpoint and returns both record lists.
A scenario is ``scenario(client_factory) -> [(service, operation, response)]``; use
:func:`recorder` to build its ``call`` helper.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from botocore.exceptions import ClientError


def recorder(out: list) -> Callable[..., Any]:
    """``call(client, method, **kw)``: run one client method, record (service, op, response)
    (the error response for a ClientError) in ``out`` and return the response."""

    def call(c, method, **kw):
        op = c.meta.method_to_api_mapping[method]
        try:
            resp = getattr(c, method)(**kw)
        except ClientError as e:
            resp = e.response
        out.append((c.meta.service_model.service_name, op, resp))
        return resp

    return call


def _check(shape, value, path, problems):
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a dict, got {type(value).__name__}")
            return
        for k, v in value.items():
            member = shape.members.get(k)
            if member is None:
                problems.append(f"{path}.{k}: not a member of {shape.name}")
            else:
                _check(member, v, f"{path}.{k}", problems)
    elif t == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list, got {type(value).__name__}")
            return
        for i, v in enumerate(value):
            _check(shape.member, v, f"{path}[{i}]", problems)
    elif t == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a dict, got {type(value).__name__}")
            return
        for k, v in value.items():
            if not isinstance(k, str):
                problems.append(f"{path}: key {k!r} is not a str")
            _check(shape.value, v, f"{path}[{k!r}]", problems)
    else:
        ok = {
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "double": lambda v: isinstance(v, (float, int)) and not isinstance(v, bool),
            "float": lambda v: isinstance(v, (float, int)) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
            "timestamp": lambda v: isinstance(v, dt.datetime) and v.tzinfo is not None,
            "blob": lambda v: isinstance(v, bytes),
        }[t]
        if not ok(value):
            problems.append(f"{path}: {t} expected, got {type(value).__name__} {value!r}")



def conformance_problems(session, records) -> tuple[list[str], int, dict[str, set[str]]]:
    """(problems, number of error responses, operations seen per service) for ``records``
    made through a bridged ``session``."""
    problems: list[str] = []
    seen: dict[str, set[str]] = {}
    errors = 0
    for service, op, resp in records:
        seen.setdefault(service, set()).add(op)
        model = session._session.get_service_model(service)
        if resp["ResponseMetadata"].get("RetryAttempts") != 0:
            problems.append(f"{service}.{op}: RetryAttempts {resp['ResponseMetadata'].get('RetryAttempts')}")
        if "Error" in resp:
            errors += 1
            allowed = {"Code", "Message"}
            if model.metadata.get("awsQueryCompatible") is not None:
                allowed |= {"QueryErrorCode", "Type"}  # from the x-amzn-query-error header
            elif model.protocol == "query":
                allowed.add("Type")  # <Type>Sender</Type>
            elif model.protocol == "rest-xml":  # S3's <Error> document: every element, as text
                allowed |= {k for k, v in resp["Error"].items() if isinstance(v, str)}
            if not (set(resp["Error"]) <= allowed and {"Code", "Message"} <= set(resp["Error"])):
                problems.append(f"{service}.{op}: Error keys {sorted(resp['Error'])}")
            shape = model.shape_for_error_code(resp["Error"]["Code"])
            extra = {k: v for k, v in resp.items() if k not in ("Error", "ResponseMetadata")}
            if shape is None:
                if extra:
                    problems.append(f"{service}.{op}: unmodelled error {resp['Error']['Code']} has members {sorted(extra)}")
            else:
                _check(shape, extra, f"{service}.{op}!{shape.name}", problems)
        else:
            body = {k: v for k, v in resp.items() if k != "ResponseMetadata"}
            shape = model.operation_model(op).output_shape
            if shape is None:
                if body:
                    problems.append(f"{service}.{op} has no output shape but returned {sorted(body)}")
            else:
                _check(shape, body, f"{service}.{op}", problems)
    return problems, errors, seen


def strip_metadata(records):
    return [(s, op, {k: v for k, v in r.items() if k != "ResponseMetadata"}) for s, op, r in records]


def compare_bridge_http(scenario, seed: int = 3):
    """Run ``scenario`` through the bridge and over the HTTP endpoint (fresh Clouds with the same
    seed); returns (bridged records, HTTP records)."""
    import boto3

    from serverless_sim import Cloud
    from serverless_sim.adapters.boto3_bridge import boto3_session
    from serverless_sim.adapters.http_server import SimServer

    bridged = scenario(boto3_session(Cloud(seed=seed)).client)
    with SimServer(lambda: Cloud(seed=seed), port=0) as server:
        session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1")
        over_http = scenario(lambda name, **kw: session.client(name, endpoint_url=server.url, **kw))
    return bridged, over_http
