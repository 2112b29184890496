"""Enforcement: calls with credentials are authorized by IAM before the service sees them;
fine-grained DynamoDB access end to end; AccessDenied as AWS words it; bad credentials; the
trusted path unchanged; Cloud(enforce_iam=True) with run_as (Lambda execution roles); the boto3
bridge."""

from __future__ import annotations

import json

import pytest
from identity_helpers import (STRONG, doc, identity_services, make_cloud, sign_in, signed_up, user_pool,  # noqa: F401
                              web_identity_trust)

from serverless_sim import AWSError, Cloud
from serverless_sim.iam import run_as
from serverless_sim.iam.actions import authorizations, dynamodb_context
from serverless_sim.iam.enforce import credentials_for

ACCT = "123456789012"
KEY = [{"AttributeName": "owner", "KeyType": "HASH"}, {"AttributeName": "note", "KeyType": "RANGE"}]
DEFS = [{"AttributeName": "owner", "AttributeType": "S"}, {"AttributeName": "note", "AttributeType": "S"}]


def item(owner, note, text="t", secret=None):
    it = {"owner": {"S": owner}, "note": {"S": note}, "text": {"S": text}}
    if secret:
        it["secret"] = {"S": secret}
    return it


@pytest.fixture
def app():
    """The classic: users may read and write only items whose partition key is their identity id."""
    cloud = make_cloud()
    pool, client = user_pool(cloud)
    for u in ("alice", "bob"):
        signed_up(cloud, pool, client, u)
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool}"
    ci = cloud.client("cognito-identity")
    ip = ci.create_identity_pool(IdentityPoolName="notes", AllowUnauthenticatedIdentities=False,
                                 CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client}])["IdentityPoolId"]
    iam = cloud.client("iam")
    role = iam.create_role(RoleName="NotesUser", AssumeRolePolicyDocument=web_identity_trust(ip))["Role"]["Arn"]
    iam.put_role_policy(RoleName="NotesUser", PolicyName="own-items", PolicyDocument=doc({
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                   "dynamodb:Query", "dynamodb:BatchGetItem"],
        "Resource": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/notes",
        "Condition": {"ForAllValues:StringEquals": {
            "dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"],
            "dynamodb:Attributes": ["owner", "note", "text"]}}}))
    ci.set_identity_pool_roles(IdentityPoolId=ip, Roles={"authenticated": role})
    cloud.client("dynamodb").create_table(TableName="notes", KeySchema=KEY, AttributeDefinitions=DEFS,
                                          BillingMode="PAY_PER_REQUEST")

    def login(user):
        logins = {provider: sign_in(cloud, client, user)["IdToken"]}
        iid = ci.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"]
        creds = ci.get_credentials_for_identity(IdentityId=iid, Logins=logins)["Credentials"]
        return iid, cloud.client("dynamodb", credentials=creds)

    return cloud, login


def denied(fn, **kw):
    with pytest.raises(AWSError) as exc:
        fn(**kw)
    assert exc.value.code == "AccessDeniedException" and exc.value.status == 400
    return exc.value.message


def test_row_level_security_end_to_end(app):
    cloud, login = app
    alice_id, alice = login("alice")
    bob_id, bob = login("bob")
    alice.put_item(TableName="notes", Item=item(alice_id, "n1", "hello"))
    bob.put_item(TableName="notes", Item=item(bob_id, "n1", "bob's"))
    assert alice.get_item(TableName="notes", Key={"owner": {"S": alice_id}, "note": {"S": "n1"}})["Item"]["text"]["S"] == "hello"
    msg = denied(alice.get_item, TableName="notes", Key={"owner": {"S": bob_id}, "note": {"S": "n1"}})
    assert msg == ("User: arn:aws:sts::123456789012:assumed-role/NotesUser/CognitoIdentityCredentials is not "
                   "authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:"
                   "table/notes because no identity-based policy allows the dynamodb:GetItem action")
    denied(alice.put_item, TableName="notes", Item=item(bob_id, "n2", "forged"))
    assert "Item" not in cloud.client("dynamodb").get_item(TableName="notes", Key={"owner": {"S": bob_id}, "note": {"S": "n2"}})
    denied(alice.delete_item, TableName="notes", Key={"owner": {"S": bob_id}, "note": {"S": "n1"}})
    q = alice.query(TableName="notes", KeyConditionExpression="#o = :me", ExpressionAttributeNames={"#o": "owner"},
                    ExpressionAttributeValues={":me": {"S": alice_id}})
    assert q["Count"] == 1
    denied(alice.query, TableName="notes", KeyConditionExpression="#o = :them AND note > :n",
           ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":them": {"S": bob_id}, ":n": {"S": "a"}})
    alice.batch_get_item(RequestItems={"notes": {"Keys": [{"owner": {"S": alice_id}, "note": {"S": "n1"}}]}})
    denied(alice.batch_get_item, RequestItems={"notes": {"Keys": [{"owner": {"S": alice_id}, "note": {"S": "n1"}},
                                                                  {"owner": {"S": bob_id}, "note": {"S": "n1"}}]}})
    # no Scan in the policy (ForAllValues would pass a request without leading keys)
    denied(alice.scan, TableName="notes")


def test_attribute_level_security(app):
    cloud, login = app
    me, alice = login("alice")
    denied(alice.put_item, TableName="notes", Item=item(me, "n1", secret="x"))
    alice.put_item(TableName="notes", Item=item(me, "n1"))
    assert alice.get_item(TableName="notes", Key={"owner": {"S": me}, "note": {"S": "n1"}},
                          ProjectionExpression="#t", ExpressionAttributeNames={"#t": "text"})["Item"] == {"text": {"S": "t"}}
    denied(alice.update_item, TableName="notes", Key={"owner": {"S": me}, "note": {"S": "n1"}},
           UpdateExpression="SET secret = :s", ExpressionAttributeValues={":s": {"S": "x"}})
    alice.update_item(TableName="notes", Key={"owner": {"S": me}, "note": {"S": "n1"}},
                      UpdateExpression="SET #t = :s", ExpressionAttributeNames={"#t": "text"},
                      ExpressionAttributeValues={":s": {"S": "new"}})


def test_dynamodb_condition_keys_from_requests():
    cloud = make_cloud()
    cloud.client("dynamodb").create_table(TableName="notes", KeySchema=KEY, AttributeDefinitions=DEFS,
                                          BillingMode="PAY_PER_REQUEST")
    ctx = dynamodb_context(cloud, "UpdateItem", {
        "TableName": "notes", "Key": {"owner": {"S": "u1"}, "note": {"S": "a"}},
        "UpdateExpression": "SET a.b = if_not_exists(#c, :z), d[0] = :v REMOVE e ADD f :one",
        "ExpressionAttributeNames": {"#c": "cnt"}, "ReturnValues": "ALL_NEW"})
    assert ctx["dynamodb:leadingkeys"] == ["u1"]
    assert ctx["dynamodb:attributes"] == ["owner", "note", "a", "cnt", "d", "e", "f"]
    assert ctx["dynamodb:returnvalues"] == "ALL_NEW"
    q = dynamodb_context(cloud, "Query", {"TableName": "notes", "KeyConditionExpression": "note > :n AND #o = :u",
                                          "ExpressionAttributeNames": {"#o": "owner"},
                                          "ExpressionAttributeValues": {":u": {"S": "u9"}, ":n": {"S": "x"}},
                                          "Select": "COUNT"})
    assert q["dynamodb:leadingkeys"] == ["u9"] and q["dynamodb:select"] == "COUNT"
    g = dynamodb_context(cloud, "GetItem", {"TableName": "notes", "Key": {"owner": {"S": "u1"}, "note": {"S": "a"}}})
    assert g["dynamodb:select"] == "ALL_ATTRIBUTES" and "dynamodb:attributes" not in g


@pytest.mark.parametrize("service,op,params,expected", [
    ("dynamodb", "Query", {"TableName": "t", "IndexName": "byDate"}, [("dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/t/index/byDate")]),
    ("dynamodb", "TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "a"}}, {"ConditionCheck": {"TableName": "b"}}]},
     [("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:123456789012:table/a"),
      ("dynamodb:ConditionCheckItem", "arn:aws:dynamodb:us-east-1:123456789012:table/b")]),
    ("dynamodb", "ListTables", {}, [("dynamodb:ListTables", "*")]),
    ("sqs", "SendMessageBatch", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"},
     [("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")]),
    ("sns", "Publish", {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}, [("sns:Publish", "arn:aws:sns:us-east-1:123456789012:t")]),
    ("s3", "GetObject", {"Bucket": "b", "Key": "k/1"}, [("s3:GetObject", "arn:aws:s3:::b/k/1")]),
    ("s3", "HeadObject", {"Bucket": "b", "Key": "k", "VersionId": "v"}, [("s3:GetObjectVersion", "arn:aws:s3:::b/k")]),
    ("s3", "ListObjectsV2", {"Bucket": "b"}, [("s3:ListBucket", "arn:aws:s3:::b")]),
    ("s3", "CopyObject", {"Bucket": "b", "Key": "new", "CopySource": "src/old"},
     [("s3:GetObject", "arn:aws:s3:::src/old"), ("s3:PutObject", "arn:aws:s3:::b/new")]),
    ("lambda", "Invoke", {"FunctionName": "f", "Qualifier": "live"}, [("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:f:live")]),
    ("lambda", "CreateFunction", {"FunctionName": "f", "Role": "arn:aws:iam::123456789012:role/r"},
     [("lambda:CreateFunction", "arn:aws:lambda:us-east-1:123456789012:function:f"), ("iam:PassRole", "arn:aws:iam::123456789012:role/r")]),
    ("stepfunctions", "StartExecution", {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m"},
     [("states:StartExecution", "arn:aws:states:us-east-1:123456789012:stateMachine:m")]),
    ("events", "PutEvents", {"Entries": [{"EventBusName": "orders"}, {}]},
     [("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/orders"),
      ("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/default")]),
    ("events", "PutRule", {"Name": "r", "EventBusName": "orders"}, [("events:PutRule", "arn:aws:events:us-east-1:123456789012:rule/orders/r")]),
    ("scheduler", "CreateSchedule", {"Name": "s"}, [("scheduler:CreateSchedule", "arn:aws:scheduler:us-east-1:123456789012:schedule/default/s")]),
])
def test_action_and_resource_mapping(service, op, params, expected):
    cloud = make_cloud()
    got = [(a, r) for a, r, _ in authorizations(cloud, service, op, params)]
    assert got == expected


def test_unauthenticated_operations_need_no_permission():
    cloud = make_cloud()
    assert authorizations(cloud, "cognito-idp", "InitiateAuth", {}) is None
    assert authorizations(cloud, "cognito-identity", "GetCredentialsForIdentity", {}) is None
    assert authorizations(cloud, "sts", "GetCallerIdentity", {}) is None


@pytest.fixture
def user_cloud():
    cloud = make_cloud()
    iam = cloud.client("iam")
    iam.create_user(UserName="carol")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    creds = {"AccessKeyId": key["AccessKeyId"], "SecretKey": key["SecretAccessKey"]}
    return cloud, creds


def test_denials_of_other_services_are_worded_as_aws_does(user_cloud):
    cloud, creds = user_cloud
    cloud.client("sqs").create_queue(QueueName="jobs")
    sqs = cloud.client("sqs", credentials=creds)
    with pytest.raises(AWSError) as exc:
        sqs.send_message(QueueUrl=cloud.client("sqs").get_queue_url(QueueName="jobs")["QueueUrl"], MessageBody="x")
    assert exc.value.code == "AccessDenied" and exc.value.status == 403
    assert exc.value.message == ("User: arn:aws:iam::123456789012:user/carol is not authorized to perform: "
                                 "sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:jobs because no "
                                 "identity-based policy allows the sqs:SendMessage action")
    assert cloud.client("sqs").receive_message(QueueUrl=cloud.client("sqs").get_queue_url(QueueName="jobs")["QueueUrl"]).get("Messages") is None
    s3 = cloud.client("s3", credentials=creds)
    with pytest.raises(AWSError) as exc:
        s3.list_buckets()
    assert exc.value.code == "AccessDenied" and "s3:ListAllMyBuckets on resource: *" in exc.value.message
    lam = cloud.client("lambda", credentials=creds)
    with pytest.raises(AWSError) as exc:
        lam.invoke(FunctionName="f")
    assert exc.value.code == "AccessDeniedException" and exc.value.status == 403


def test_explicit_deny_wording_and_policy_changes_apply_at_once(user_cloud):
    cloud, creds = user_cloud
    iam = cloud.client("iam")
    cloud.client("dynamodb").create_table(TableName="notes", KeySchema=KEY, AttributeDefinitions=DEFS,
                                          BillingMode="PAY_PER_REQUEST")
    ddb = cloud.client("dynamodb", credentials=creds)
    key = {"owner": {"S": "x"}, "note": {"S": "y"}}
    denied(ddb.get_item, TableName="notes", Key=key)
    iam.put_user_policy(UserName="carol", PolicyName="all", PolicyDocument=doc({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}))
    assert ddb.get_item(TableName="notes", Key=key)["ResponseMetadata"]["HTTPStatusCode"] == 200
    iam.create_group(GroupName="interns")
    iam.put_group_policy(GroupName="interns", PolicyName="no", PolicyDocument=doc(
        {"Effect": "Deny", "Action": "dynamodb:GetItem", "Resource": "*"}))
    iam.add_user_to_group(GroupName="interns", UserName="carol")
    assert denied(ddb.get_item, TableName="notes", Key=key).endswith("with an explicit deny in an identity-based policy")
    iam.remove_user_from_group(GroupName="interns", UserName="carol")
    ddb.get_item(TableName="notes", Key=key)


def test_permissions_boundary(user_cloud):
    cloud, creds = user_cloud
    iam = cloud.client("iam")
    iam.put_user_policy(UserName="carol", PolicyName="all", PolicyDocument=doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    b = iam.create_policy(PolicyName="sqs-only", PolicyDocument=doc({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}))
    iam.put_user_permissions_boundary(UserName="carol", PermissionsBoundary=b["Policy"]["Arn"])
    cloud.client("sqs", credentials=creds).list_queues()
    assert denied(cloud.client("dynamodb", credentials=creds).list_tables).endswith(
        "because no permissions boundary allows the dynamodb:ListTables action")


def test_date_conditions_follow_the_virtual_clock(user_cloud):
    cloud, creds = user_cloud
    cloud.client("iam").put_user_policy(UserName="carol", PolicyName="window", PolicyDocument=doc({
        "Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*",
        "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-01-01T01:00:00Z"}}}))
    ddb = cloud.client("dynamodb", credentials=creds)
    ddb.list_tables()
    cloud.advance(3600)
    denied(ddb.list_tables)


def test_bad_credentials(user_cloud):
    cloud, creds = user_cloud

    def code_of(c, service="dynamodb"):
        with pytest.raises(AWSError) as exc:
            cloud.client(service, credentials=c).list_tables() if service == "dynamodb" else \
                cloud.client(service, credentials=c).get_caller_identity()
        return exc.value.code, exc.value.message

    invalid = "The security token included in the request is invalid."
    assert code_of({"AccessKeyId": "AKIAAAAAAAAAAAAAAAAA", "SecretKey": "x"}) == ("UnrecognizedClientException", invalid)
    assert code_of({"AccessKeyId": "AKIAAAAAAAAAAAAAAAAA", "SecretKey": "x"}, "sts") == ("InvalidClientTokenId", invalid)
    assert code_of({**creds, "SecretKey": "wrong"})[0] == "InvalidSignatureException"
    assert code_of({**creds, "SecretKey": "wrong"}, "sts")[0] == "SignatureDoesNotMatch"
    cloud.client("iam").update_access_key(UserName="carol", AccessKeyId=creds["AccessKeyId"], Status="Inactive")
    assert code_of(creds) == ("UnrecognizedClientException", invalid)


def test_session_token_must_match():
    cloud = make_cloud()
    iam = cloud.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "sts:AssumeRole"}]}))
    c = cloud.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/r", RoleSessionName="s1")["Credentials"]
    for bad in ({**c, "SessionToken": "nope"}, {k: v for k, v in c.items() if k != "SessionToken"}):
        with pytest.raises(AWSError) as exc:
            cloud.client("sts", credentials=bad).get_caller_identity()
        assert exc.value.code == "InvalidClientTokenId"


def test_trusted_path_is_unchanged():
    cloud = Cloud(seed=1)
    ddb = cloud.client("dynamodb")
    assert type(ddb)._call is __import__("serverless_sim.adapters.client", fromlist=["x"]).ServiceClient._call
    ddb.list_tables()
    placeholder = cloud.client("dynamodb", aws_access_key_id="testing", aws_secret_access_key="testing")
    placeholder.list_tables()
    assert "iam" not in cloud._services  # nothing of IAM was even created


def test_enforce_iam_run_as_and_lambda_credentials():
    cloud = make_cloud(enforce_iam=True)
    iam = cloud.client("iam")  # outside run_as: the account root, allowed everything
    iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName="fn-role", PolicyName="q", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*"}))
    role = f"arn:aws:iam::{ACCT}:role/fn-role"
    ddb, sqs, sts = cloud.client("dynamodb"), cloud.client("sqs"), cloud.client("sts")
    ddb.list_tables()
    with run_as(cloud, role, "my-function") as p:
        assert p.arn == f"arn:aws:sts::{ACCT}:assumed-role/fn-role/my-function"
        sqs.list_queues()
        assert sts.get_caller_identity()["Arn"] == p.arn
        with pytest.raises(AWSError) as exc:
            ddb.list_tables()
        assert exc.value.message.startswith(f"User: arn:aws:sts::{ACCT}:assumed-role/fn-role/my-function is not")
    ddb.list_tables()
    creds = credentials_for(cloud, role, "my-function")
    assert cloud.client("sqs", credentials=creds).list_queues()
    # enforcement on: placeholder keys are no longer trusted
    with pytest.raises(AWSError) as exc:
        cloud.client("dynamodb", credentials={"AccessKeyId": "testing", "SecretKey": "testing"}).list_tables()
    assert exc.value.code == "UnrecognizedClientException"


def test_lambda_handler_running_as_its_role():
    """What the Lambda owner wires: the handler body runs inside run_as(cloud, role, name)."""
    cloud = make_cloud(enforce_iam=True)
    cloud.client("iam").create_role(RoleName="lambda-role", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}))
    lam = cloud.service("lambda")
    ddb = cloud.client("dynamodb")

    def handler(event, context):
        with run_as(cloud, f"arn:aws:iam::{ACCT}:role/lambda-role", context.function_name):
            try:
                ddb.list_tables()
                return "allowed"
            except AWSError as exc:
                return exc.code

    lam.create_function_from_callable("lister", handler, duration=0.01)
    out = cloud.client("lambda").invoke(FunctionName="lister")
    assert json.loads(out["Payload"].read()) == "AccessDeniedException"


def test_boto3_bridge_with_credentials(user_cloud):
    pytest.importorskip("boto3")
    cloud, creds = user_cloud
    cloud.client("iam").put_user_policy(UserName="carol", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*"}))
    session = cloud.boto3_session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretKey"])
    ddb = session.client("dynamodb")
    assert ddb.list_tables()["TableNames"] == []
    with pytest.raises(ddb.exceptions.ClientError) as exc:
        ddb.describe_limits()
    assert exc.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "dynamodb:DescribeLimits" in exc.value.response["Error"]["Message"]
    sts = session.client("sts")
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCT}:user/carol"
    # the default (dummy) session stays trusted
    assert cloud.boto3_session().client("dynamodb").describe_limits()["TableMaxReadCapacityUnits"] > 0
