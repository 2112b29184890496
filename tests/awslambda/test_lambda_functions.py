"""Control plane: CreateFunction / Get / List / Update / Delete, versions, aliases, validation."""

from __future__ import annotations

import json

import pytest

from serverless_sim import Cloud
from serverless_sim.awslambda import build_zip

ROLE = "arn:aws:iam::123456789012:role/lambda-role"
SRC = "def handler(event, context):\n    return {'v': VERSION}\nVERSION = 1\n"


def make(cloud: Cloud, name: str = "f", source: str = SRC, **kw):
    client = cloud.client("lambda")
    params = dict(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                  Code={"ZipFile": build_zip({"app.py": source})})
    params.update(kw)
    return client, client.create_function(**params)


def code(err) -> str:
    return err.value.response["Error"]["Code"]


def test_create_get_list_delete():
    cloud = Cloud(seed=1)
    client, cfg = make(cloud)
    assert cfg["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:f"
    assert cfg["Version"] == "$LATEST" and cfg["State"] == "Active"
    assert cfg["MemorySize"] == 128 and cfg["Timeout"] == 3  # AWS defaults
    assert cfg["PackageType"] == "Zip" and cfg["Architectures"] == ["x86_64"]
    got = client.get_function(FunctionName="f")
    assert got["Configuration"]["CodeSha256"] == cfg["CodeSha256"]
    assert client.get_function_configuration(FunctionName=cfg["FunctionArn"])["FunctionName"] == "f"
    with pytest.raises(client.exceptions.ResourceConflictException) as err:
        make(cloud)
    assert err.value.response["Error"]["Message"] == "Function already exist: f"
    client.delete_function(FunctionName="f")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as err:
        client.get_function(FunctionName="f")
    assert err.value.response["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f"
    )
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_list_functions_paginates():
    cloud = Cloud(seed=1)
    for i in range(5):
        client, _ = make(cloud, f"fn{i}")
    page = client.list_functions(MaxItems=2)
    names = [f["FunctionName"] for f in page["Functions"]]
    while "NextMarker" in page:
        page = client.list_functions(MaxItems=2, Marker=page["NextMarker"])
        names += [f["FunctionName"] for f in page["Functions"]]
    assert names == [f"fn{i}" for i in range(5)]


@pytest.mark.parametrize(
    "kw, code_, fragment",
    [
        ({"MemorySize": 127}, "ValidationException", "greater than or equal to 128"),
        ({"MemorySize": 10_241}, "InvalidParameterValueException", "less than or equal to 10240"),
        ({"Timeout": 0}, "ValidationException", "greater than or equal to 1"),
        ({"Timeout": 901}, "ValidationException", "less than or equal to 900"),
        ({"Role": "nope"}, "ValidationException", "role"),
        ({"Runtime": "python9"}, "ValidationException", "runtime"),
        ({"Handler": ""}, "InvalidParameterValueException", "mandatory"),
        ({"Code": {"ZipFile": b"not a zip"}}, "InvalidParameterValueException", "Could not unzip"),
        ({"Environment": {"Variables": {"AWS_REGION": "x"}}}, "InvalidParameterValueException", "reserved keys"),
    ],
)
def test_create_validation(kw, code_, fragment):
    cloud = Cloud(seed=1)
    client = cloud.client("lambda")
    with pytest.raises(client.exceptions.ClientError) as err:
        make(cloud, **kw)
    assert code(err) == code_
    assert fragment in err.value.response["Error"]["Message"]
    assert client.list_functions()["Functions"] == []  # state unchanged


def test_memory_and_timeout_bounds_accepted():
    cloud = Cloud(seed=1)
    _, cfg = make(cloud, "a", MemorySize=128, Timeout=1)
    _, cfg2 = make(cloud, "b", MemorySize=10_240, Timeout=900)
    assert (cfg["MemorySize"], cfg2["MemorySize"], cfg2["Timeout"]) == (128, 10_240, 900)


def test_environment_variables_4kb_limit():
    cloud = Cloud(seed=1)
    client = cloud.client("lambda")
    # The limit is on the JSON text of the map: {"KEY":"..."} -> 10 bytes of overhead.
    ok = {"KEY": "x" * (4096 - 10)}
    assert len(json.dumps(ok, separators=(",", ":"))) == 4096
    make(cloud, "ok", Environment={"Variables": ok})
    with pytest.raises(client.exceptions.InvalidParameterValueException) as err:
        make(cloud, "big", Environment={"Variables": {"KEY": "x" * (4096 - 9)}})
    assert "exceeded the 4KB limit" in err.value.response["Error"]["Message"]


def test_update_code_and_configuration_revision_and_retire():
    cloud = Cloud(seed=1)
    client, cfg = make(cloud)
    lam = cloud.service("lambda")
    assert json.loads(client.invoke(FunctionName="f")["Payload"].read()) == {"v": 1}
    env_before = lam.environments("f")
    new = client.update_function_code(FunctionName="f", ZipFile=build_zip({"app.py": SRC.replace("VERSION = 1", "VERSION = 2")}))
    assert new["CodeSha256"] != cfg["CodeSha256"] and new["RevisionId"] != cfg["RevisionId"]
    assert env_before and lam.environments("f") == []  # idle environments of old code are gone
    assert json.loads(client.invoke(FunctionName="f")["Payload"].read()) == {"v": 2}
    with pytest.raises(client.exceptions.PreconditionFailedException):
        client.update_function_configuration(FunctionName="f", MemorySize=256, RevisionId=cfg["RevisionId"])
    up = client.update_function_configuration(FunctionName="f", MemorySize=256, Timeout=10,
                                              Environment={"Variables": {"AA": "1"}})
    assert (up["MemorySize"], up["Timeout"], up["Environment"]) == (256, 10, {"Variables": {"AA": "1"}})


def test_versions_publish_list_and_unchanged_republish():
    cloud = Cloud(seed=1)
    client, _ = make(cloud)
    v1 = client.publish_version(FunctionName="f", Description="first")
    assert v1["Version"] == "1" and v1["FunctionArn"].endswith(":f:1")
    assert client.publish_version(FunctionName="f")["Version"] == "1"  # nothing changed
    client.update_function_configuration(FunctionName="f", MemorySize=512)
    v2 = client.publish_version(FunctionName="f")
    assert v2["Version"] == "2" and v2["MemorySize"] == 512
    versions = [v["Version"] for v in client.list_versions_by_function(FunctionName="f")["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    assert client.get_function_configuration(FunctionName="f", Qualifier="1")["MemorySize"] == 128
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.publish_version(FunctionName="f", CodeSha256="wrong")


def test_aliases_and_weighted_routing():
    cloud = Cloud(seed=3)
    client, _ = make(cloud)
    client.publish_version(FunctionName="f")
    client.update_function_code(FunctionName="f", ZipFile=build_zip({"app.py": SRC.replace("VERSION = 1", "VERSION = 2")}))
    client.publish_version(FunctionName="f")
    alias = client.create_alias(FunctionName="f", Name="live", FunctionVersion="1",
                                RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
    assert alias["AliasArn"].endswith(":function:f:live")
    with pytest.raises(client.exceptions.ResourceConflictException):
        client.create_alias(FunctionName="f", Name="live", FunctionVersion="1")
    executed = [client.invoke(FunctionName="f", Qualifier="live")["ExecutedVersion"] for _ in range(400)]
    share = executed.count("2") / len(executed)
    assert 0.19 < share < 0.31
    assert client.get_alias(FunctionName="f", Name="live")["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}
    client.update_alias(FunctionName="f", Name="live", FunctionVersion="2", RoutingConfig={})
    assert client.invoke(FunctionName="f:live")["ExecutedVersion"] == "2"
    assert [a["Name"] for a in client.list_aliases(FunctionName="f")["Aliases"]] == ["live"]
    with pytest.raises(client.exceptions.ResourceConflictException):
        client.delete_function(FunctionName="f", Qualifier="2")  # the alias uses it
    client.delete_alias(FunctionName="f", Name="live")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as err:
        client.get_alias(FunctionName="f", Name="live")
    assert "Cannot find alias arn" in err.value.response["Error"]["Message"]
    client.delete_function(FunctionName="f", Qualifier="2")
    assert [v["Version"] for v in client.list_versions_by_function(FunctionName="f")["Versions"]] == ["$LATEST", "1"]


def test_routing_is_deterministic_per_seed():
    def run(seed):
        cloud = Cloud(seed=seed)
        client, _ = make(cloud)
        client.publish_version(FunctionName="f")
        client.update_function_configuration(FunctionName="f", MemorySize=256)
        client.publish_version(FunctionName="f")
        client.create_alias(FunctionName="f", Name="a", FunctionVersion="1",
                            RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
        return [client.invoke(FunctionName="f", Qualifier="a")["ExecutedVersion"] for _ in range(30)]

    assert run(5) == run(5)
    assert run(5) != run(6)
