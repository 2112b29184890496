"""State machine control plane and definition validation.

Texts: AWS's InvalidDefinition format "Invalid State Machine Definition: 'CODE: message at
/location, ...'" as AWS returns it (quoted in localstack/localstack#12487 and
aws-cloudformation/cfn-lint#4073); API reference for each action.
"""

from __future__ import annotations

import json

import pytest

from serverless_sim import Cloud
from sfn_helpers import ROLE

PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


@pytest.fixture
def sfn():
    return Cloud(seed=3).client("stepfunctions")


def create(sfn, d, name="m", **kw):
    return sfn.create_state_machine(name=name, definition=json.dumps(d) if not isinstance(d, str)
                                    else d, roleArn=ROLE, **kw)


def invalid(sfn, d):
    with pytest.raises(sfn.exceptions.InvalidDefinition) as info:
        create(sfn, d)
    return info.value.message


def test_missing_next_target_and_unreachable_state(sfn):
    """AWS: "MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next,
    MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2"."""
    msg = invalid(sfn, {"StartAt": "pass1", "States": {
        "pass1": {"Type": "Pass", "Next": "pass3"}, "pass2": {"Type": "Pass", "End": True}}})
    assert msg == ("Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' "
                   "target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "
                   "\"pass2\" is not reachable. at /States/pass2'")


def test_no_terminal_state(sfn):
    msg = invalid(sfn, {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                                   "B": {"Type": "Pass", "Next": "A"}}})
    assert "MISSING_END_STATE: Workflow has no terminal state" in msg


@pytest.mark.parametrize("d,fragment", [
    ("{not json", "INVALID_JSON_DESCRIPTION"),
    ({"States": {}}, "These fields are required: [StartAt]"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Foo": 1}}},
     'SCHEMA_VALIDATION_FAILED: The field "Foo" is not supported by Step Functions at /States/A'),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}, "Next or End"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A", "End": True}}},
     "Only one of Next or End"),
    ({"StartAt": "A", "States": {"A": {"Type": "Bogus", "End": True}}}, "/States/A/Type"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "InputPath": "x"}}},
     "/States/A/InputPath"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "ResultPath": "$.a[*]"}}},
     "/States/A/ResultPath"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True,
                                       "Parameters": {"x.$": "States.Nope()"}}}},
     "/States/A/Parameters"),
    ({"StartAt": "A", "States": {"A": {"Type": "Wait", "End": True}}}, "Exactly one of Seconds"),
    ({"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": -1, "End": True}}},
     "/States/A/Seconds"),
    ({"StartAt": "A", "States": {"A": {"Type": "Task", "End": True}}}, "[Resource]"),
    ({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                       "End": True, "Retry": [
                                           {"ErrorEquals": ["States.ALL"]},
                                           {"ErrorEquals": ["X"]}]}}}, "must be the last"),
    ({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                       "End": True, "Catch": [
                                           {"ErrorEquals": ["States.ALL", "X"], "Next": "A"}]}}},
     "must appear alone"),
    ({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                       "TimeoutSeconds": 5, "HeartbeatSeconds": 5, "End": True}}},
     "HeartbeatSeconds"),
    ({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}]}}},
     "DUPLICATE_STATE_NAME"),
    ({"StartAt": "A", "QueryLanguage": "JSONata",
      "States": {"A": {"Type": "Pass", "End": True, "InputPath": "$"}}}, "JSONata"),
    ({"StartAt": "A", "QueryLanguage": "JSONata",
      "States": {"A": {"Type": "Pass", "End": True, "QueryLanguage": "JSONPath"}}},
     "QueryLanguage"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Output": "{% 1 %}"}}},
     "JSONPath query language"),
    ({"StartAt": "A", "QueryLanguage": "JSONata",
      "States": {"A": {"Type": "Pass", "End": True, "Output": "{% 1 + %}"}}}, "/States/A/Output"),
    ({"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemBatcher": {},
                                       "ItemProcessor": PASS}}}, "DISTRIBUTED"),
])
def test_schema_errors(sfn, d, fragment):
    assert fragment in invalid(sfn, d)


def test_validate_state_machine_definition(sfn):
    ok = sfn.validate_state_machine_definition(definition=json.dumps(PASS))
    assert ok["result"] == "OK" and ok["diagnostics"] == [] and ok["truncated"] is False
    bad = sfn.validate_state_machine_definition(definition=json.dumps(
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Z"}}}))
    assert bad["result"] == "FAIL"
    assert bad["diagnostics"][0] == {"severity": "ERROR", "code": "MISSING_TRANSITION_TARGET",
                                     "message": "Missing 'Next' target: Z",
                                     "location": "/States/A/Next"}
    assert bad["diagnostics"][1]["code"] == "MISSING_END_STATE"
    assert "location" not in bad["diagnostics"][1]


def test_express_rejects_callback_patterns(sfn):
    d = {"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "End": True}}}
    r = sfn.validate_state_machine_definition(definition=json.dumps(d), type="EXPRESS")
    assert r["result"] == "FAIL"
    assert sfn.validate_state_machine_definition(definition=json.dumps(d))["result"] == "OK"


def test_create_describe_list_update_delete(sfn):
    arn = create(sfn, PASS)["stateMachineArn"]
    assert arn == "arn:aws:states:us-east-1:123456789012:stateMachine:m"
    assert create(sfn, PASS)["stateMachineArn"] == arn  # idempotent
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists):
        create(sfn, {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}})
    desc = sfn.describe_state_machine(stateMachineArn=arn)
    assert desc["status"] == "ACTIVE" and desc["type"] == "STANDARD"
    assert json.loads(desc["definition"]) == PASS
    create(sfn, PASS, name="a-first", type="EXPRESS")
    names = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
    assert names == ["a-first", "m"]
    page1 = sfn.list_state_machines(maxResults=1)
    assert len(page1["stateMachines"]) == 1
    page2 = sfn.list_state_machines(maxResults=1, nextToken=page1["nextToken"])
    assert page2["stateMachines"][0]["name"] == "m" and "nextToken" not in page2
    new_def = {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.update_state_machine(stateMachineArn=arn, definition="{}")
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == PASS
    upd = sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(new_def))
    assert upd["revisionId"] != desc["revisionId"]
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == new_def
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as info:
        sfn.describe_state_machine(stateMachineArn=arn)
    assert info.value.message == f"State Machine Does Not Exist: '{arn}'"


@pytest.mark.parametrize("name", ["", "a b", "a/b", "x" * 81, "a*", "a:b"])
def test_invalid_names(sfn, name):
    with pytest.raises(sfn.exceptions.InvalidName):
        create(sfn, PASS, name=name)


def test_invalid_role_and_type(sfn):
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.create_state_machine(name="m", definition=json.dumps(PASS), roleArn="nope")
    with pytest.raises(sfn.exceptions.ValidationException):
        create(sfn, PASS, type="FAST")
    assert sfn.list_state_machines()["stateMachines"] == []


def test_tags(sfn):
    arn = create(sfn, PASS, tags=[{"key": "team", "value": "a"}])["stateMachineArn"]
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "dev"}])
    sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "dev"}]
