"""The HTTP endpoint answers as whoever signed the request (SigV4 checked against the store)."""

from __future__ import annotations

import pytest

boto3 = pytest.importorskip("boto3")
import botocore.auth  # noqa: E402
import botocore.awsrequest  # noqa: E402
import botocore.credentials  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from serverless_sim import Cloud  # noqa: E402
from serverless_sim.adapters.http_server import SimServer  # noqa: E402
from serverless_sim.adapters.protocols.base import HttpRequest  # noqa: E402
from serverless_sim.adapters.protocols.sigv4 import expected_signature, parse_signature  # noqa: E402


@pytest.fixture()
def server():
    with SimServer(lambda: Cloud(seed=5), port=0) as srv:
        yield srv


def _client(server, name, **creds):
    creds = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.session.Session(region_name="us-east-1", **creds).client(name, endpoint_url=server.url)


def _user_keys(server, name="alice"):
    iam = _client(server, "iam")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return iam, {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}


def test_caller_identity_is_the_signer(server):
    _, keys = _user_keys(server)
    who = _client(server, "sts", **keys).get_caller_identity()
    assert who["Arn"].endswith(":user/alice")
    assert _client(server, "sts").get_caller_identity()["Arn"].endswith(":root")  # placeholder keys


def test_wrong_secret_and_unknown_key_are_refused(server):
    _, keys = _user_keys(server)
    bad = dict(keys, aws_secret_access_key="not-the-secret")
    with pytest.raises(ClientError) as e:
        _client(server, "sts", **bad).get_caller_identity()
    assert e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    with pytest.raises(ClientError) as e:
        _client(server, "sqs", **bad).list_queues()
    assert e.value.response["Error"]["Code"] in ("InvalidSignatureException", "SignatureDoesNotMatch")
    with pytest.raises(ClientError) as e:
        _client(server, "sts", aws_access_key_id="AKIA" + "Z" * 16, aws_secret_access_key="s").get_caller_identity()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_permissions_apply_over_http(server):
    iam, keys = _user_keys(server)
    sqs = _client(server, "sqs", **keys)
    with pytest.raises(ClientError) as e:
        sqs.create_queue(QueueName="q")
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    iam.put_user_policy(UserName="alice", PolicyName="sqs", PolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}'))
    assert sqs.create_queue(QueueName="q")["QueueUrl"].endswith("/q")


def test_assumed_role_session_over_http(server):
    iam, keys = _user_keys(server)
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'))
    iam.put_user_policy(UserName="alice", PolicyName="assume", PolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'))
    role_arn = iam.get_role(RoleName="r")["Role"]["Arn"]
    c = _client(server, "sts", **keys).assume_role(RoleArn=role_arn, RoleSessionName="s1")["Credentials"]
    session_keys = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                    "aws_session_token": c["SessionToken"]}
    assert _client(server, "sts", **session_keys).get_caller_identity()["Arn"].endswith(":assumed-role/r/s1")
    with pytest.raises(ClientError) as e:  # a session key without its token
        _client(server, "sts", aws_access_key_id=c["AccessKeyId"],
                aws_secret_access_key=c["SecretAccessKey"]).get_caller_identity()
    assert e.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_s3_presigned_url_is_checked(server):
    import urllib.error
    import urllib.request

    iam, keys = _user_keys(server)
    iam.put_user_policy(UserName="alice", PolicyName="s3", PolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'))
    from botocore.config import Config

    s3 = boto3.session.Session(region_name="us-east-1", **keys).client(
        "s3", endpoint_url=server.url, config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="k", Body=b"hello")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": "k"}, ExpiresIn=60)
    assert urllib.request.urlopen(url).read() == b"hello"
    tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(tampered)
    assert e.value.code == 403


_text = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]), service=st.sampled_from(["sqs", "s3", "lambda"]),
       segments=st.lists(_text, min_size=1, max_size=3), query=st.dictionaries(_text, _text, max_size=3),
       body=st.binary(max_size=32))
def test_signature_matches_botocore_signer(method, service, segments, query, body):
    """What botocore's SigV4 signer produces, our verifier recomputes (botocore as the oracle)."""
    from urllib.parse import quote, urlencode, urlsplit

    path = "/" + "/".join(quote(s, safe="") for s in segments)
    url = "http://127.0.0.1:9" + path + ("?" + urlencode(query) if query else "")
    creds = botocore.credentials.Credentials("AKIAEXAMPLEEXAMPLE00", "secret/key+1")
    req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "text/plain"})
    signer = (botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth)(creds, service, "us-east-1")
    signer.add_auth(req)
    prepared = req.prepare()
    parts = urlsplit(prepared.url)
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    headers["host"] = parts.netloc  # what the HTTP client sends (botocore signs the URL's netloc)
    ours = HttpRequest(method, parts.path, parts.query, headers, body)
    sig = parse_signature(ours)
    assert sig is not None and sig.access_key == "AKIAEXAMPLEEXAMPLE00"
    assert expected_signature(ours, sig, "secret/key+1") == sig.signature
    assert expected_signature(ours, sig, "other") != sig.signature


def test_a_literal_plus_in_the_query_is_signed_as_2B_not_as_a_space():
    from serverless_sim.adapters.protocols.sigv4 import canonical_request, query_pairs

    assert query_pairs("a=b+c&d=e%20f&g&h=") == [("a", "b+c"), ("d", "e f"), ("g", ""), ("h", "")]
    req = HttpRequest("GET", "/", "a=b+c&d=e%20f", {"host": "localhost"}, b"")
    sig = parse_signature(HttpRequest("GET", "/", "", {
        "authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sqs/aws4_request, "
                         "SignedHeaders=host, Signature=" + "0" * 64,
        "x-amz-date": "20260101T000000Z"}, b""))
    assert sig is not None
    assert canonical_request(req, sig).split("\n")[2] == "a=b%2Bc&d=e%20f"
