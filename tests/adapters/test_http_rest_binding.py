"""The generic REST binding (serverless_sim.adapters.protocols.rest): operations found from
method + path + query, members read back from the URI, query string and headers.

The property: for random operations of the Lambda, API Gateway (v1, v2), Scheduler and S3
models and random valid parameters built from their shapes, botocore's own serializer (the
oracle) produces a request that ``match_operation`` + ``bind_request`` (+ the REST-JSON body
parser for the JSON services) map back to the same operation and the same parameters.
"""

from __future__ import annotations

import datetime as dt
import string
from urllib.parse import urlsplit

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

botocore = pytest.importorskip("botocore")
import botocore.awsrequest  # noqa: E402
import botocore.serialize  # noqa: E402

from serverless_sim.adapters.protocols import rest  # noqa: E402
from serverless_sim.adapters.protocols.base import service_model  # noqa: E402
from serverless_sim.adapters.protocols.rest_json import _body_params  # noqa: E402

SERVICES = ("lambda", "apigateway", "apigatewayv2", "scheduler", "s3")
OPERATIONS = [(s, op) for s in SERVICES for op in service_model(s).operation_names]
LITERALS = {
    s: {seg for op in service_model(s).operation_names
        for seg in service_model(s).operation_model(op).http["requestUri"].replace("?", "/").replace("&", "/").split("/")
        if "{" not in seg}
    for s in SERVICES
}

# -- values from shapes -------------------------------------------------------------------
_SAFE = string.ascii_letters + string.digits + "-_.~"
_URI_TEXT = st.text(alphabet=_SAFE + " /%:+?&=@é", min_size=1, max_size=8)
_QUERY_TEXT = st.text(alphabet=_SAFE + " /%:+?&=,é", max_size=8)
_HEADER_TEXT = st.text(alphabet=_SAFE + " /:+=,\"", min_size=1, max_size=8).map(str.strip).filter(bool)
_BODY_TEXT = st.text(max_size=8)
_WHOLE_SECONDS = st.integers(0, 4_102_444_800).map(
    lambda s: dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=s))
_JSON = st.recursive(st.none() | st.booleans() | st.integers(-5, 5) | st.text(_SAFE, max_size=4),
                     lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(_SAFE, max_size=3), inner, max_size=2),
                     max_leaves=4)


def _scalar(shape, location):
    kind = shape.type_name
    if kind == "string":
        if location == "header" and shape.serialization.get("jsonvalue"):
            return _JSON
        return {"uri": _URI_TEXT, "querystring": _QUERY_TEXT, "header": _HEADER_TEXT}.get(location, _BODY_TEXT)
    if kind in ("integer", "long"):
        return st.integers(0, 10_000)
    if kind in ("float", "double"):
        return st.integers(-400, 400).map(lambda i: i / 4)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return _WHOLE_SECONDS
    if kind == "blob":
        return st.binary(max_size=8)
    raise AssertionError(kind)


def _value(shape, location, depth):
    kind = shape.type_name
    if kind == "structure":
        if getattr(shape, "is_document_type", False):
            return _JSON
        return _structure(shape, depth + 1, top=False)
    if kind == "list":
        size = dict(min_size=1) if location in ("querystring", "header") else {}
        return st.lists(_value(shape.member, location, depth + 1), max_size=2 if depth < 3 else 0, **size)
    if kind == "map":
        if location == "headers":
            keys = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=5)
        elif location == "querystring":
            keys = st.text(string.ascii_lowercase, min_size=1, max_size=5).map(lambda k: "qm-" + k)
        else:
            keys = st.text(_SAFE, max_size=5)
        # an empty map on the query string or in headers is no map at all
        return st.dictionaries(keys, _value(shape.value, location if location != "headers" else "header", depth + 1),
                               min_size=1 if location in ("querystring", "headers") else 0,
                               max_size=2 if depth < 3 else 0)
    return _scalar(shape, location)


def _structure(shape, depth, top):
    required = set(shape.required_members)
    union = getattr(shape, "is_tagged_union", False)
    fields = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location") if top else None
        if member.serialization.get("hostLabel"):  # also goes into the host name: DNS label characters
            fields[name] = (name in required, st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=6))
        elif location in ("querystring", "header") and member.type_name == "list":
            fields[name] = (name in required, _value(member, location, depth))
        elif depth > 3 and name not in required:
            continue
        else:
            fields[name] = (name in required, _value(member, location, depth))
    if union and fields:
        return st.sampled_from(sorted(fields)).flatmap(lambda n: fields[n][1].map(lambda v, n=n: {n: v}))

    @st.composite
    def build(draw):
        out = {}
        for name, (req, strategy) in fields.items():
            if req or draw(st.booleans()):
                out[name] = draw(strategy)
        return out

    return build()


def _serialize(service, op, params):
    serializer = botocore.serialize.create_serializer(service_model(service).protocol, include_validation=False)
    request = serializer.serialize_to_request(params, op)
    botocore.awsrequest.prepare_request_dict(request, "https://example.amazonaws.com")
    url = urlsplit(request["url"])
    body = request["body"]
    if isinstance(body, str):
        body = body.encode()
    headers = {k.lower(): v for k, v in request["headers"].items()}
    return request["method"], url.path, url.query, headers, body or b""


def _same_template(a, b):
    return a.http["method"] == b.http["method"] and a.http["requestUri"] == b.http["requestUri"]


def _required_wire(op):
    shape = op.input_shape
    if shape is None:
        return set()
    return {shape.members[n].serialization.get("name", n) for n in shape.required_members
            if shape.members[n].serialization.get("location") in ("querystring", "header")}


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_botocore_requests_bind_back_to_their_parameters(data):
    service, name = data.draw(st.sampled_from(OPERATIONS), label="operation")
    model = service_model(service)
    op = model.operation_model(name)
    shape = op.input_shape
    params = data.draw(_structure(shape, 0, top=True), label="params") if shape is not None else {}
    if shape is not None:
        for member_name, value in params.items():
            if shape.members[member_name].serialization.get("location") == "uri":
                assume(str(value) not in LITERALS[service])
    method, path, query, headers, body = _serialize(service, op, params)

    found = rest.match_operation(model, method, path, query, headers)
    assert found is not None, (method, path, query)
    matched, labels = found
    if matched.name != op.name:
        # Only operations AWS itself cannot tell apart by the request line and the required
        # query/header members (S3's ListBuckets/ListDirectoryBuckets; deprecated twins).
        assert _same_template(matched, op) and _required_wire(matched) == _required_wire(op), (op.name, matched.name)
        assert not matched.deprecated
    bound = rest.bind_request(op, labels, query, headers)
    located = {k: v for k, v in params.items()
               if shape.members[k].serialization.get("location") in ("uri", "querystring", "header", "headers")} if shape else {}
    assert bound == located
    if model.protocol == "rest-json":
        bound.update(_body_params(op, body))
        expected = dict(params)
        payload = rest.payload_member(shape)
        if payload is not None and not params.get(payload[0]):
            expected.pop(payload[0], None)  # an empty payload is no body (or ``{}``) at all
        assert bound == expected


# -- examples -----------------------------------------------------------------------------
@pytest.mark.parametrize("service, method, path, query, headers, expected, labels", [
    ("lambda", "POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af/invocations", "", {},
     "Invoke", {"FunctionName": "arn:aws:lambda:us-east-1:1:function:f"}),
    ("lambda", "GET", "/2018-10-31/layers", "find=LayerVersion&Arn=x", {}, "GetLayerVersionByArn", {}),
    ("lambda", "GET", "/2015-03-31/functions/", "", {}, "ListFunctions", {}),
    ("s3", "PUT", "/b/k/x", "", {}, "PutObject", {"Bucket": "b", "Key": "k/x"}),
    ("s3", "PUT", "/b/k", "partNumber=1&uploadId=u", {}, "UploadPart", {"Bucket": "b", "Key": "k"}),
    ("s3", "PUT", "/b/k", "partNumber=1&uploadId=u", {"x-amz-copy-source": "a/b"}, "UploadPartCopy", {"Bucket": "b", "Key": "k"}),
    ("s3", "PUT", "/b/k", "", {"x-amz-copy-source": "a/b"}, "CopyObject", {"Bucket": "b", "Key": "k"}),
    ("s3", "GET", "/b", "list-type=2&prefix=a", {}, "ListObjectsV2", {"Bucket": "b"}),
    ("s3", "GET", "/b", "prefix=a", {}, "ListObjects", {"Bucket": "b"}),
    ("s3", "GET", "/b", "analytics&id=x", {}, "GetBucketAnalyticsConfiguration", {"Bucket": "b"}),
    ("s3", "GET", "/b", "analytics", {}, "ListBucketAnalyticsConfigurations", {"Bucket": "b"}),
    ("s3", "GET", "/b", "lifecycle", {}, "GetBucketLifecycleConfiguration", {"Bucket": "b"}),
    ("s3", "POST", "/b/a%20b/c", "uploads", {}, "CreateMultipartUpload", {"Bucket": "b", "Key": "a b/c"}),
    ("s3", "GET", "/b/", "", {}, "ListObjects", {"Bucket": "b"}),
    ("apigatewayv2", "GET", "/v2/apis/a1/routes/r1", "", {}, "GetRoute", {"apiId": "a1", "routeId": "r1"}),
    ("apigateway", "PUT", "/restapis/a/resources/r/methods/GET/integration", "", {}, "PutIntegration",
     {"restapi_id": "a", "resource_id": "r", "http_method": "GET"}),
])
def test_match_operation_examples(service, method, path, query, headers, expected, labels):
    op, got = rest.match_operation(service_model(service), method, path, query, headers)
    assert (op.name, got) == (expected, labels)


def test_no_template_matches():
    assert rest.match_operation(service_model("lambda"), "GET", "/nothing/here", "") is None
    assert rest.match_operation(service_model("lambda"), "PATCH", "/2015-03-31/functions/f", "") is None


def test_base_paths_and_escaped_literals():
    mgmt = service_model("apigatewaymanagementapi")
    for path in ("/@connections/abc%3D", "/prod/@connections/abc%3D", "/prod/%40connections/abc%3D"):
        op, labels = rest.match_operation(mgmt, "POST", path, "")
        assert (op.name, labels) == ("PostToConnection", {"connectionId": "abc="})
    op, labels = rest.match_operation(service_model("s3"), "GET", "/b/a%2Fb%2541", "")
    assert labels == {"Bucket": "b", "Key": "a/b%41"}


def test_presigned_url_parameters_are_not_members():
    op, labels = rest.match_operation(service_model("apigateway"), "GET", "/restapis/a/stages/s/exports/swagger", "")
    bound = rest.bind_request(op, labels, "X-Amz-Signature=abc&X-Amz-Date=1&extensions=postman", {})
    assert bound["parameters"] == {"extensions": "postman"}


def test_binding_conversions_and_errors():
    lam = service_model("lambda")
    op, labels = rest.match_operation(lam, "POST", "/2015-03-31/functions/f/invocations", "Qualifier=3")
    bound = rest.bind_request(op, labels, "Qualifier=3", {"x-amz-invocation-type": "Event", "x-amz-client-context": "e30="})
    assert bound == {"FunctionName": "f", "Qualifier": "3", "InvocationType": "Event", "ClientContext": "e30="}
    op, labels = rest.match_operation(lam, "GET", "/2015-03-31/functions/", "MaxItems=x")
    with pytest.raises(rest.BindingError):
        rest.bind_request(op, labels, "MaxItems=x", {})
    s3 = service_model("s3")
    op, labels = rest.match_operation(s3, "PUT", "/b/k", "")
    bound = rest.bind_request(op, labels, "", {"x-amz-meta-color": "red", "expires": "Thu, 01 Jan 2026 00:00:00 GMT",
                                               "content-length": "3"})
    assert bound["Metadata"] == {"color": "red"}
    assert bound["Expires"] == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) and bound["ContentLength"] == 3


def test_bind_response_places_members():
    lam = service_model("lambda").operation_model("Invoke")
    status, headers, body = rest.bind_response(lam, {
        "StatusCode": 200, "FunctionError": "Unhandled", "LogResult": "bG9n", "ExecutedVersion": "$LATEST",
        "Payload": b"{}", "ResponseMetadata": {}})
    assert status == 200 and body == {"Payload": b"{}"}
    assert headers == {"X-Amz-Function-Error": "Unhandled", "X-Amz-Log-Result": "bG9n", "X-Amz-Executed-Version": "$LATEST"}
    assert rest.payload_member(lam.output_shape)[0] == "Payload"
    create = service_model("apigateway").operation_model("CreateRestApi")
    assert rest.bind_response(create, {"id": "a"})[0] == 201  # the modelled responseCode
    s3 = service_model("s3").operation_model("HeadObject")
    status, headers, body = rest.bind_response(s3, {"LastModified": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
                                                     "Metadata": {"a": "b"}, "ContentLength": 3})
    assert headers == {"Last-Modified": "Thu, 01 Jan 2026 00:00:00 GMT", "x-amz-meta-a": "b", "Content-Length": "3"}
    assert body == {}


@given(st.lists(st.text(alphabet=_SAFE + ' ,"\\', min_size=1, max_size=6).map(str.strip).filter(bool), min_size=1, max_size=4))
def test_header_lists_round_trip(items):
    shape = service_model("s3").operation_model("GetObjectAttributes").input_shape.members["ObjectAttributes"]
    text = rest.header_text(shape, items)
    assert rest._split_header_list(text) == items


@given(_WHOLE_SECONDS, st.sampled_from(["iso8601", "rfc822", "unixTimestamp"]))
def test_timestamps_round_trip(when, fmt):
    assert rest.parse_timestamp(rest.format_timestamp(when, fmt)) == when
