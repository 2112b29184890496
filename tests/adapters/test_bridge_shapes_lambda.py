"""Lambda through real boto3 (the botocore bridge): every offered operation, its paginators and
waiters, and the modelled errors; every response must be what botocore's parser produces from
the Lambda service model (:mod:`shape_check`), and the values that matter must round-trip.

Lambda bugs found here are recorded as strict xfails (serverless_sim/awslambda/ is not ours to
edit); the scenario itself avoids them so that the other checks stay meaningful."""

from __future__ import annotations

import datetime as dt
import json

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.exceptions import WaiterError  # noqa: E402

from bridge_scenarios import (  # noqa: E402
    assert_bridge_matches_http,
    assert_conforms,
    error_codes,
    missing_operations,
    pages,
)
from bridge_scenarios import responses as _responses  # noqa: E402
from shape_check import recorder  # noqa: E402

from serverless_sim import Cloud  # noqa: E402
from serverless_sim.awslambda.package import build_zip  # noqa: E402

SERVICE = "lambda"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/shapes-lambda"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:shapes-lambda-q"
SOURCE = """
def handler(event, context):
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"echo": event, "version": VERSION, "fn": context.function_name}
VERSION = 1
"""


def code(version=1):
    return build_zip({"app.py": SOURCE.replace("VERSION = 1", f"VERSION = {version}")})


def fn_arn(name, qualifier=None):
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def scenario(client_factory):
    """Drive every Lambda operation the simulator offers; returns [(service, operation, response)]."""
    out: list = []
    record = recorder(out)

    def call(c, method, **kw):
        resp = record(c, method, **kw)
        if "Payload" in resp:  # Invoke's streaming blob: compare its bytes
            resp["Payload"] = resp["Payload"].read()
        return resp

    lam = client_factory("lambda")
    client_factory("sqs").create_queue(QueueName="shapes-lambda-q")
    for i in range(3):
        call(lam, "create_function", FunctionName=f"shapes-fn-{i}", Runtime="python3.12", Role=ROLE,
             Handler="app.handler", Code={"ZipFile": code()}, Timeout=10, MemorySize=256,
             Environment={"Variables": {"STAGE": "test"}}, Tags={"team": "a"}, Description=f"fn {i}")
    fn = "shapes-fn-0"
    call(lam, "create_function", FunctionName=fn, Runtime="python3.12", Role=ROLE, Handler="app.handler",
         Code={"ZipFile": code()})  # ResourceConflictException
    call(lam, "create_function", FunctionName="shapes-bad-zip", Runtime="python3.12", Role=ROLE,
         Handler="app.handler", Code={"ZipFile": b"not a zip"})  # InvalidParameterValueException
    lam.get_waiter("function_exists").wait(FunctionName=fn)
    lam.get_waiter("function_active").wait(FunctionName=fn)
    lam.get_waiter("function_active_v2").wait(FunctionName=fn)
    call(lam, "get_function", FunctionName=fn)
    call(lam, "get_function", FunctionName="shapes-none")  # ResourceNotFoundException
    call(lam, "get_function_configuration", FunctionName=fn)
    call(lam, "list_functions", MaxItems=2)
    pages(out, lam, "list_functions", PaginationConfig={"PageSize": 2})
    call(lam, "get_account_settings")

    # Invocations.
    call(lam, "invoke", FunctionName=fn, Payload=json.dumps({"n": 1}))
    call(lam, "invoke", FunctionName=fn, Payload=json.dumps({"fail": True}), LogType="Tail")  # FunctionError
    call(lam, "invoke", FunctionName=fn, Payload=json.dumps({"n": 2}), InvocationType="Event")
    call(lam, "invoke", FunctionName=fn, InvocationType="DryRun")
    call(lam, "invoke", FunctionName="shapes-none", Payload=b"{}")  # ResourceNotFoundException

    # Code and configuration updates, versions, aliases.
    call(lam, "update_function_code", FunctionName=fn, ZipFile=code(2))
    lam.get_waiter("function_updated").wait(FunctionName=fn)
    call(lam, "update_function_configuration", FunctionName=fn, Timeout=20, Description="updated")
    lam.get_waiter("function_updated_v2").wait(FunctionName=fn)
    call(lam, "update_function_configuration", FunctionName=fn, Timeout=901)  # ValidationException
    v1 = call(lam, "publish_version", FunctionName=fn, Description="first")["Version"]
    lam.get_waiter("published_version_active").wait(FunctionName=fn, Qualifier=v1)
    call(lam, "update_function_code", FunctionName=fn, ZipFile=code(3))
    v2 = call(lam, "publish_version", FunctionName=fn)["Version"]
    call(lam, "list_versions_by_function", FunctionName=fn)
    pages(out, lam, "list_versions_by_function", FunctionName=fn, PaginationConfig={"PageSize": 2})
    call(lam, "create_alias", FunctionName=fn, Name="live", FunctionVersion=v1, Description="live traffic")
    call(lam, "create_alias", FunctionName=fn, Name="live", FunctionVersion=v1)  # ResourceConflictException
    call(lam, "create_alias", FunctionName=fn, Name="canary", FunctionVersion=v2,
         RoutingConfig={"AdditionalVersionWeights": {v1: 0.25}})
    call(lam, "create_alias", FunctionName=fn, Name="beta", FunctionVersion=v2)
    call(lam, "get_alias", FunctionName=fn, Name="live")
    call(lam, "update_alias", FunctionName=fn, Name="live", FunctionVersion=v2, Description="moved")
    call(lam, "get_alias", FunctionName=fn, Name="missing")  # ResourceNotFoundException
    call(lam, "list_aliases", FunctionName=fn)
    pages(out, lam, "list_aliases", FunctionName=fn, PaginationConfig={"PageSize": 2})
    call(lam, "invoke", FunctionName=fn, Qualifier="beta", Payload=b"{}")

    # Concurrency.
    call(lam, "put_function_concurrency", FunctionName="shapes-fn-1", ReservedConcurrentExecutions=5)
    call(lam, "get_function_concurrency", FunctionName="shapes-fn-1")
    call(lam, "delete_function_concurrency", FunctionName="shapes-fn-1")
    call(lam, "get_function_concurrency", FunctionName="shapes-fn-1")
    call(lam, "put_provisioned_concurrency_config", FunctionName=fn, Qualifier="live",
         ProvisionedConcurrentExecutions=2)
    call(lam, "put_provisioned_concurrency_config", FunctionName=fn, Qualifier=v1,
         ProvisionedConcurrentExecutions=1)
    call(lam, "put_provisioned_concurrency_config", FunctionName=fn, Qualifier="beta",
         ProvisionedConcurrentExecutions=1)  # ResourceConflictException: "live" has version 2 already
    call(lam, "put_provisioned_concurrency_config", FunctionName=fn, Qualifier="$LATEST",
         ProvisionedConcurrentExecutions=1)  # InvalidParameterValueException
    call(lam, "get_provisioned_concurrency_config", FunctionName=fn, Qualifier="live")
    call(lam, "list_provisioned_concurrency_configs", FunctionName=fn)
    pages(out, lam, "list_provisioned_concurrency_configs", FunctionName=fn, PaginationConfig={"PageSize": 1})
    call(lam, "delete_provisioned_concurrency_config", FunctionName=fn, Qualifier=v1)
    call(lam, "get_provisioned_concurrency_config", FunctionName=fn, Qualifier=v1)  # ProvisionedConcurrencyConfigNotFound

    # Asynchronous invocation configuration.
    call(lam, "put_function_event_invoke_config", FunctionName=fn, MaximumRetryAttempts=1,
         MaximumEventAgeInSeconds=3600)
    call(lam, "put_function_event_invoke_config", FunctionName=fn, Qualifier="live", MaximumRetryAttempts=0)
    call(lam, "update_function_event_invoke_config", FunctionName=fn, DestinationConfig={
        "OnFailure": {"Destination": QUEUE_ARN}})
    call(lam, "get_function_event_invoke_config", FunctionName=fn)
    call(lam, "list_function_event_invoke_configs", FunctionName=fn)
    pages(out, lam, "list_function_event_invoke_configs", FunctionName=fn, PaginationConfig={"PageSize": 1})
    call(lam, "delete_function_event_invoke_config", FunctionName=fn, Qualifier="live")
    call(lam, "get_function_event_invoke_config", FunctionName=fn, Qualifier="live")  # ResourceNotFoundException

    # Event source mappings.
    esms = [call(lam, "create_event_source_mapping", FunctionName=f"shapes-fn-{i}", EventSourceArn=QUEUE_ARN,
                 BatchSize=5)["UUID"] for i in (1, 2)]
    call(lam, "create_event_source_mapping", FunctionName="shapes-fn-1", EventSourceArn=QUEUE_ARN)  # conflict
    call(lam, "get_event_source_mapping", UUID=esms[0])
    call(lam, "update_event_source_mapping", UUID=esms[0], BatchSize=7, Enabled=False)
    call(lam, "list_event_source_mappings", EventSourceArn=QUEUE_ARN)
    pages(out, lam, "list_event_source_mappings", EventSourceArn=QUEUE_ARN, PaginationConfig={"PageSize": 1})
    call(lam, "delete_event_source_mapping", UUID=esms[1])
    call(lam, "get_event_source_mapping", UUID="00000000-0000-0000-0000-000000000000")  # ResourceNotFoundException

    # Deleting.
    call(lam, "delete_alias", FunctionName=fn, Name="canary")
    call(lam, "delete_function", FunctionName="shapes-fn-2")
    call(lam, "delete_function", FunctionName="shapes-fn-2")  # ResourceNotFoundException
    return out


# -- helpers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run():
    cloud = Cloud(seed=1)
    session = cloud.boto3_session()
    return session, scenario(session.client)


def responses(records, op):
    return _responses(records, SERVICE, op)


# -- 1. shapes and coverage ------------------------------------------------------------------
def test_every_response_conforms_to_the_service_model(run):
    session, records = run
    assert_conforms(session, records, min_errors=13)


def test_every_offered_operation_is_exercised(run):
    _, records = run
    missing = missing_operations(records, SERVICE, Cloud().service(SERVICE))
    assert not missing, f"Lambda operations the scenario does not call: {missing}"


# -- 2. values that matter -------------------------------------------------------------------
def test_functions_round_trip(run):
    _, records = run
    created = responses(records, "CreateFunction")[0]
    assert created["FunctionArn"] == fn_arn("shapes-fn-0") and created["Runtime"] == "python3.12"
    assert created["Timeout"] == 10 and created["MemorySize"] == 256 and created["Role"] == ROLE
    assert created["Environment"] == {"Variables": {"STAGE": "test"}}
    got = responses(records, "GetFunction")[0]
    assert got["Configuration"]["FunctionName"] == "shapes-fn-0" and got["Tags"] == {"team": "a"}
    assert got["Code"]["RepositoryType"] == "S3"
    conf = responses(records, "GetFunctionConfiguration")[0]
    assert conf["State"] == "Active" and conf["LastUpdateStatus"] == "Successful"
    lists = responses(records, "ListFunctions")
    assert [f["FunctionName"] for f in lists[0]["Functions"]] == ["shapes-fn-0", "shapes-fn-1"] and lists[0]["NextMarker"]
    assert [[f["FunctionName"] for f in p["Functions"]] for p in lists[1:]] == [
        ["shapes-fn-0", "shapes-fn-1"], ["shapes-fn-2"]]
    settings = responses(records, "GetAccountSettings")[0]
    assert settings["AccountLimit"]["ConcurrentExecutions"] == 1000


def test_invocations(run):
    _, records = run
    ok, failed, event, dry, _missing, beta = responses(records, "Invoke")
    assert ok["StatusCode"] == 200 and json.loads(ok["Payload"]) == {
        "echo": {"n": 1}, "version": 1, "fn": "shapes-fn-0"}
    assert ok["ExecutedVersion"] == "$LATEST"
    assert failed["FunctionError"] == "Unhandled" and failed["StatusCode"] == 200
    assert json.loads(failed["Payload"])["errorType"] == "ValueError"
    assert isinstance(failed["LogResult"], str)
    assert event["StatusCode"] == 202 and dry["StatusCode"] == 204
    assert [r["ResponseMetadata"]["HTTPStatusCode"] for r in (ok, event, dry)] == [200, 202, 204]
    assert beta["ExecutedVersion"] == "2" and json.loads(beta["Payload"])["version"] == 3


def test_versions_and_aliases(run):
    _, records = run
    versions = responses(records, "PublishVersion")
    assert [v["Version"] for v in versions] == ["1", "2"] and versions[0]["Description"] == "first"
    assert versions[0]["FunctionArn"] == fn_arn("shapes-fn-0", "1")
    listed = responses(records, "ListVersionsByFunction")
    assert [v["Version"] for v in listed[0]["Versions"]] == ["$LATEST", "1", "2"]
    assert [[v["Version"] for v in p["Versions"]] for p in listed[1:]] == [["$LATEST", "1"], ["2"]]
    alias = responses(records, "GetAlias")[0]
    assert alias["AliasArn"] == fn_arn("shapes-fn-0", "live") and alias["FunctionVersion"] == "1"
    assert responses(records, "UpdateAlias")[0]["FunctionVersion"] == "2"
    canary = [a for a in responses(records, "CreateAlias") if a.get("Name") == "canary"][0]
    assert canary["RoutingConfig"] == {"AdditionalVersionWeights": {"1": 0.25}}
    aliases = responses(records, "ListAliases")
    assert [a["Name"] for a in aliases[0]["Aliases"]] == ["beta", "canary", "live"]
    assert [[a["Name"] for a in p["Aliases"]] for p in aliases[1:]] == [["beta", "canary"], ["live"]]
    updated = responses(records, "UpdateFunctionConfiguration")[0]
    assert updated["Timeout"] == 20 and updated["Description"] == "updated"


def test_concurrency_and_invoke_configs(run):
    _, records = run
    assert responses(records, "PutFunctionConcurrency")[0]["ReservedConcurrentExecutions"] == 5
    got = responses(records, "GetFunctionConcurrency")
    assert got[0]["ReservedConcurrentExecutions"] == 5 and "ReservedConcurrentExecutions" not in got[1]
    pc = [r for r in responses(records, "GetProvisionedConcurrencyConfig") if "Error" not in r][0]
    assert pc["RequestedProvisionedConcurrentExecutions"] == 2 and pc["Status"] in ("IN_PROGRESS", "READY")
    listed = responses(records, "ListProvisionedConcurrencyConfigs")
    assert sorted(c["FunctionArn"] for c in listed[0]["ProvisionedConcurrencyConfigs"]) == [
        fn_arn("shapes-fn-0", "1"), fn_arn("shapes-fn-0", "live")]
    assert [len(p["ProvisionedConcurrencyConfigs"]) for p in listed[1:]] == [1, 1]
    eic = responses(records, "GetFunctionEventInvokeConfig")[0]
    assert eic["MaximumRetryAttempts"] == 1 and eic["MaximumEventAgeInSeconds"] == 3600
    assert eic["DestinationConfig"]["OnFailure"] == {"Destination": QUEUE_ARN}
    assert isinstance(eic["LastModified"], dt.datetime)
    configs = responses(records, "ListFunctionEventInvokeConfigs")
    assert sorted(c["FunctionArn"] for c in configs[0]["FunctionEventInvokeConfigs"]) == [
        fn_arn("shapes-fn-0", "$LATEST"), fn_arn("shapes-fn-0", "live")]
    assert [len(p["FunctionEventInvokeConfigs"]) for p in configs[1:]] == [1, 1]


def test_event_source_mappings(run):
    _, records = run
    created = responses(records, "CreateEventSourceMapping")[0]
    assert created["EventSourceArn"] == QUEUE_ARN and created["BatchSize"] == 5
    assert created["FunctionArn"] == fn_arn("shapes-fn-1") and created["State"] == "Creating"
    assert responses(records, "CreateEventSourceMapping")[0]["ResponseMetadata"]["HTTPStatusCode"] == 202
    updated = responses(records, "UpdateEventSourceMapping")[0]
    assert updated["BatchSize"] == 7 and updated["State"] in ("Disabling", "Updating")
    listed = responses(records, "ListEventSourceMappings")
    assert sorted(m["FunctionArn"] for m in listed[0]["EventSourceMappings"]) == [fn_arn("shapes-fn-1"), fn_arn("shapes-fn-2")]
    assert [len(p["EventSourceMappings"]) for p in listed[1:]] == [1, 1]
    assert responses(records, "DeleteEventSourceMapping")[0]["State"] == "Deleting"


def test_error_codes_are_aws_codes(run):
    _, records = run
    assert error_codes(records, SERVICE, "CreateFunction") == ["ResourceConflictException",
                                                               "InvalidParameterValueException"]
    assert error_codes(records, SERVICE, "GetFunction") == ["ResourceNotFoundException"]
    assert error_codes(records, SERVICE, "Invoke") == ["ResourceNotFoundException"]
    assert error_codes(records, SERVICE, "UpdateFunctionConfiguration") == ["ValidationException"]
    assert error_codes(records, SERVICE, "CreateAlias") == ["ResourceConflictException"]
    assert error_codes(records, SERVICE, "GetAlias") == ["ResourceNotFoundException"]
    assert error_codes(records, SERVICE, "PutProvisionedConcurrencyConfig") == [
        "ResourceConflictException", "InvalidParameterValueException"]
    assert error_codes(records, SERVICE, "GetProvisionedConcurrencyConfig") == ["ProvisionedConcurrencyConfigNotFoundException"]
    assert error_codes(records, SERVICE, "GetFunctionEventInvokeConfig") == ["ResourceNotFoundException"]
    assert error_codes(records, SERVICE, "CreateEventSourceMapping") == ["ResourceConflictException"]
    assert error_codes(records, SERVICE, "GetEventSourceMapping") == ["ResourceNotFoundException"]
    assert error_codes(records, SERVICE, "DeleteFunction") == ["ResourceNotFoundException"]
    missing = responses(records, "GetFunction")[1]
    assert missing["Error"]["Message"] == f"Function not found: {fn_arn('shapes-none')}"
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert missing["Type"] == "User" and missing["Message"] == missing["Error"]["Message"]


def test_modelled_exceptions_are_raised():
    lam = Cloud().boto3_session().client("lambda")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as e:
        lam.get_function(FunctionName="nope")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    lam.create_function(FunctionName="f", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": code()})
    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.create_function(FunctionName="f", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": code()})


def test_waiters_fail_on_the_virtual_clock():
    cloud = Cloud()
    lam = cloud.boto3_session().client("lambda")
    start = cloud.now
    with pytest.raises(WaiterError) as e:
        lam.get_waiter("function_exists").wait(FunctionName="never", WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    assert "Max attempts exceeded" in str(e.value)
    assert (cloud.now - start).total_seconds() == 2


def test_event_invoke_config_last_modified_has_millisecond_precision(run):
    _, records = run
    stamps = [r["LastModified"] for r in responses(records, "PutFunctionEventInvokeConfig")
              + responses(records, "GetFunctionEventInvokeConfig") if "LastModified" in r]
    assert stamps and all(s.microsecond % 1000 == 0 for s in stamps), stamps


# -- 3. bridge == HTTP endpoint ----------------------------------------------------------------
def test_bridge_matches_http_endpoint():
    assert_bridge_matches_http(scenario)
