"""Helpers shared by the per-service bridge scenarios (``test_bridge_shapes_<service>.py``), on
top of :mod:`shape_check`."""

from __future__ import annotations

from shape_check import compare_bridge_http, conformance_problems, strip_metadata


def pages(out, client, method, **kwargs):
    """Walk a real botocore paginator; record every page as a response of its operation."""
    op = client.meta.method_to_api_mapping[method]
    got = list(client.get_paginator(method).paginate(**kwargs))
    out.extend((client.meta.service_model.service_name, op, page) for page in got)
    return got


def responses(records, service, op):
    """The responses of ``service.op`` in call order."""
    return [r for s, o, r in records if s == service and o == op]


def error_codes(records, service, op):
    return [r["Error"]["Code"] for r in responses(records, service, op) if "Error" in r]


def assert_conforms(session, records, *, min_errors, allowed=()):
    """No conformance problems (but the ``allowed`` ones), at least ``min_errors`` error answers."""
    problems, errors, _ = conformance_problems(session, records)
    problems = [p for p in problems if p not in allowed]
    assert not problems, "\n".join(problems)
    assert errors >= min_errors, f"only {errors} error answers"


def missing_operations(records, service, cloud_service):
    seen = {op for s, op, _ in records if s == service}
    return sorted(set(cloud_service.operations) - seen)


def comparable(records):
    """Records without ResponseMetadata (the bridge and botocore parsing the endpoint's bytes
    must agree on everything else, ``Error.Type`` and ``QueryErrorCode`` included)."""
    return strip_metadata(records)


def assert_bridge_matches_http(scenario):
    """The scenario over the bridge and over the HTTP endpoint (same seed): same responses, same
    status codes, same request ids."""
    bridged, over_http = compare_bridge_http(scenario)
    assert len(bridged) == len(over_http)
    for a, b in zip(comparable(bridged), comparable(over_http)):
        assert a == b, f"bridge: {a}\nHTTP:   {b}"
    for (_, op, a), (_, _, b) in zip(bridged, over_http):
        assert a["ResponseMetadata"]["HTTPStatusCode"] == b["ResponseMetadata"]["HTTPStatusCode"], (
            op, a["ResponseMetadata"]["HTTPStatusCode"], b["ResponseMetadata"]["HTTPStatusCode"])
        assert a["ResponseMetadata"]["RequestId"] == b["ResponseMetadata"]["RequestId"], op
    return bridged, over_http
