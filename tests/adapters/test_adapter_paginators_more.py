"""Paginators and waiters of the generated clients, service by service (beyond DynamoDB,
CloudWatch and Logs): every paginated operation is walked in small pages and must hand out
each item exactly once, in the service's order, with ``build_full_result()`` agreeing and a
``MaxItems`` cut resuming where it stopped."""

from __future__ import annotations

import json
import math

import pytest

from serverless_sim import Cloud
from serverless_sim.adapters.client import snake_case
from serverless_sim.adapters.pagination import PAGINATORS
from serverless_sim.adapters.waiters import WAITERS, WaiterError

ROLE = "arn:aws:iam::123456789012:role/r"
SERVICES = ["sqs", "sns", "s3", "events", "scheduler", "lambda", "stepfunctions", "apigateway",
            "apigatewayv2", "cognito-idp", "cognito-identity", "iam", "sts", "dynamodbstreams"]


def _function(cloud, name="job"):
    return cloud.service("lambda").create_function_from_source(
        name, {"app.py": "def handler(event, context):\n    return 1\n"}).arn


def check_pages(client, op, ident, created, page_size, *, result_key=None, full_limit=None,
                ignores_limit=False, **kwargs):
    """Walk ``op`` in pages of ``page_size``: each of ``created`` exactly once, in the order a
    single unpaged call gives; ``build_full_result`` agrees; MaxItems + StartingToken resume.
    ``ignores_limit``: the service answers in one page whatever the limit (a known gap)."""
    spec = PAGINATORS[client.meta.service_name][op]
    key = result_key or spec.result_keys[0]
    name = snake_case(op)
    one = dict(kwargs)
    if full_limit is not None:
        one[spec.limit_key] = full_limit
    single = getattr(client, name)(**one)
    expected = [ident(x) for x in single.get(key, [])]
    assert sorted(expected) == sorted(created), f"{op}: unpaged call lists {expected}"
    paginator = client.get_paginator(name)
    pages = list(paginator.paginate(**kwargs, PaginationConfig={"PageSize": page_size}))
    got = [ident(x) for p in pages for x in p.get(key, [])]
    assert got == expected, f"{op}: paged {got} != unpaged {expected}"
    want_pages = 1 if ignores_limit else math.ceil(len(created) / page_size)
    assert len(pages) == want_pages, f"{op}: {len(pages)} pages"
    full = paginator.paginate(**kwargs, PaginationConfig={"PageSize": page_size}).build_full_result()
    assert [ident(x) for x in full[key]] == expected and "NextToken" not in full
    # MaxItems cuts inside a page; the resume token picks up at the next item.
    cut = page_size + 1
    if cut >= len(expected):
        return pages
    first = paginator.paginate(**kwargs, PaginationConfig={"PageSize": page_size, "MaxItems": cut})
    head = first.build_full_result()
    assert [ident(x) for x in head[key]] == expected[:cut]
    rest = paginator.paginate(**kwargs, PaginationConfig={
        "PageSize": page_size, "StartingToken": head["NextToken"]}).build_full_result()
    assert [ident(x) for x in head[key] + rest[key]] == expected
    return pages


def _by(member):
    return lambda x: x[member]


def _same(x):
    return x


# -- SQS -------------------------------------------------------------------------------------
def test_sqs_paginators():
    cloud = Cloud()
    sqs = cloud.client("sqs")
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})
    urls = [sqs.create_queue(QueueName=f"q{i}", Attributes={"RedrivePolicy": redrive})["QueueUrl"]
            for i in range(7)]
    check_pages(sqs, "ListQueues", _same, urls + [dlq], 3, full_limit=1000)
    check_pages(sqs, "ListQueues", _same, urls, 2, full_limit=1000, QueueNamePrefix="q")
    check_pages(sqs, "ListDeadLetterSourceQueues", _same, urls, 3, full_limit=1000, QueueUrl=dlq)


# -- SNS (no page size: the service's own page of 100) ----------------------------------------
def test_sns_paginators():
    cloud = Cloud()
    sns = cloud.client("sns")
    arns = [sns.create_topic(Name=f"t{i:03d}")["TopicArn"] for i in range(105)]
    pages = list(sns.get_paginator("list_topics").paginate())
    assert [len(p["Topics"]) for p in pages] == [100, 5]
    topics = [t["TopicArn"] for p in pages for t in p["Topics"]]
    assert sorted(topics) == sorted(arns) and len(set(topics)) == 105
    full = sns.get_paginator("list_topics").paginate().build_full_result()
    assert [t["TopicArn"] for t in full["Topics"]] == topics
    head = sns.get_paginator("list_topics").paginate(PaginationConfig={"MaxItems": 101}).build_full_result()
    rest = sns.get_paginator("list_topics").paginate(
        PaginationConfig={"StartingToken": head["NextToken"]}).build_full_result()
    assert [t["TopicArn"] for t in head["Topics"] + rest["Topics"]] == topics

    queue = cloud.arn("sqs", "q{}")
    subs = [sns.subscribe(TopicArn=arns[0], Protocol="sqs", Endpoint=queue.format(i))["SubscriptionArn"]
            for i in range(103)]
    subs.append(sns.subscribe(TopicArn=arns[1], Protocol="sqs", Endpoint=queue.format(0))["SubscriptionArn"])
    for op, kwargs, want in (("list_subscriptions_by_topic", {"TopicArn": arns[0]}, subs[:-1]),
                             ("list_subscriptions", {}, subs)):
        pages = list(sns.get_paginator(op).paginate(**kwargs))
        assert len(pages) == 2
        got = [s["SubscriptionArn"] for p in pages for s in p["Subscriptions"]]
        assert sorted(got) == sorted(want) and len(set(got)) == len(want)
        full = sns.get_paginator(op).paginate(**kwargs).build_full_result()
        assert [s["SubscriptionArn"] for s in full["Subscriptions"]] == got


# -- S3 ----------------------------------------------------------------------------------------
@pytest.fixture
def s3():
    cloud = Cloud()
    client = cloud.client("s3")
    client.create_bucket(Bucket="bucket-a")
    return cloud, client


def test_s3_list_objects_paginators(s3):
    _, client = s3
    keys = [f"k/{i:02d}" for i in range(11)] + ["d/x/1", "d/y/1", "d/z/1", "top"]
    for key in keys:
        client.put_object(Bucket="bucket-a", Key=key, Body=b"x")
    check_pages(client, "ListObjectsV2", _by("Key"), keys, 4, Bucket="bucket-a")
    check_pages(client, "ListObjects", _by("Key"), keys, 4, Bucket="bucket-a")
    check_pages(client, "ListObjectsV2", _by("Key"), keys[:11], 3, Bucket="bucket-a", Prefix="k/")
    # With a delimiter the common prefixes page too (they count towards MaxKeys).
    pages = list(client.get_paginator("list_objects_v2").paginate(
        Bucket="bucket-a", Delimiter="/", PaginationConfig={"PageSize": 1}))
    assert [p.get("CommonPrefixes", []) + p.get("Contents", []) for p in pages] == [
        [{"Prefix": "d/"}], [{"Prefix": "k/"}], [pages[-1]["Contents"][0]]]
    full = client.get_paginator("list_objects").paginate(
        Bucket="bucket-a", Delimiter="/", PaginationConfig={"PageSize": 1}).build_full_result()
    assert [c["Prefix"] for c in full["CommonPrefixes"]] == ["d/", "k/"]
    assert [c["Key"] for c in full["Contents"]] == ["top"]


def test_s3_list_object_versions_paginator(s3):
    _, client = s3
    client.put_bucket_versioning(Bucket="bucket-a", VersioningConfiguration={"Status": "Enabled"})
    created = []
    for key in ("a", "b", "c"):
        for n in range(3):
            created.append((key, client.put_object(Bucket="bucket-a", Key=key, Body=b"%d" % n)["VersionId"]))
    # Pages of 2 split a key's versions across pages: both markers carry the position.
    check_pages(client, "ListObjectVersions", lambda v: (v["Key"], v["VersionId"]), created, 2,
                Bucket="bucket-a")


def test_s3_list_parts_paginator(s3):
    _, client = s3
    upload = client.create_multipart_upload(Bucket="bucket-a", Key="big")["UploadId"]
    for n in range(1, 8):
        client.upload_part(Bucket="bucket-a", Key="big", UploadId=upload, PartNumber=n, Body=b"p" * 10)
    check_pages(client, "ListParts", _by("PartNumber"), list(range(1, 8)), 3,
                Bucket="bucket-a", Key="big", UploadId=upload)


def test_s3_list_multipart_uploads_paginator(s3):
    _, client = s3
    ids = [(k, client.create_multipart_upload(Bucket="bucket-a", Key=k)["UploadId"]) for k in "abcde"]
    pages = list(client.get_paginator("list_multipart_uploads").paginate(Bucket="bucket-a"))
    assert [(u["Key"], u["UploadId"]) for p in pages for u in p["Uploads"]] == ids


def test_s3_list_buckets_paginator(s3):
    _, client = s3
    names = ["bucket-a"] + [f"bucket-{i}" for i in range(5)]
    for name in names[1:]:
        client.create_bucket(Bucket=name)
    full = client.get_paginator("list_buckets").paginate().build_full_result()
    assert sorted(b["Name"] for b in full["Buckets"]) == sorted(names) and "Owner" in full


def test_s3_waiters(s3):
    cloud, client = s3
    start = cloud.now
    client.get_waiter("bucket_exists").wait(Bucket="bucket-a")
    cloud.call_later(12, lambda: client.create_bucket(Bucket="later"))
    client.get_waiter("bucket_exists").wait(Bucket="later")
    assert (cloud.now - start).total_seconds() == 15  # polls at 0, 5, 10 miss; 15 finds it
    cloud.call_later(7, lambda: client.put_object(Bucket="later", Key="k", Body=b"1"))
    client.get_waiter("object_exists").wait(Bucket="later", Key="k")
    assert (cloud.now - start).total_seconds() == 25
    client.get_waiter("object_not_exists").wait(Bucket="later", Key="missing")
    cloud.call_later(3, lambda: client.delete_object(Bucket="later", Key="k"))
    client.get_waiter("object_not_exists").wait(Bucket="later", Key="k")
    assert (cloud.now - start).total_seconds() == 30
    client.delete_object(Bucket="later", Key="k")
    client.delete_bucket(Bucket="later")
    client.get_waiter("bucket_not_exists").wait(Bucket="later")
    with pytest.raises(WaiterError) as e:
        client.get_waiter("object_exists").wait(Bucket="bucket-a", Key="never",
                                                WaiterConfig={"Delay": 1, "MaxAttempts": 4})
    assert e.value.reason == "Max attempts exceeded"
    assert client.waiter_names == ["bucket_exists", "bucket_not_exists", "object_exists", "object_not_exists"]


# -- EventBridge and Scheduler ------------------------------------------------------------------
def test_events_paginators():
    cloud = Cloud()
    events = cloud.client("events")
    fn = _function(cloud)
    rules = [f"r{i}" for i in range(7)]
    for name in rules:
        events.put_rule(Name=name, EventPattern=json.dumps({"source": ["app"]}))
        events.put_targets(Rule=name, Targets=[{"Id": "t", "Arn": fn}])
    check_pages(events, "ListRules", _by("Name"), rules, 3)
    check_pages(events, "ListRuleNamesByTarget", _same, rules, 2, TargetArn=fn)
    events.put_targets(Rule="r0", Targets=[{"Id": f"x{i}", "Arn": fn} for i in range(4)])
    check_pages(events, "ListTargetsByRule", _by("Id"), ["t"] + [f"x{i}" for i in range(4)], 2, Rule="r0")


def test_scheduler_paginators():
    cloud = Cloud()
    sch = cloud.client("scheduler")
    fn = _function(cloud)
    target = {"Arn": fn, "RoleArn": ROLE}
    groups = ["default"] + [f"g{i}" for i in range(5)]
    for g in groups[1:]:
        sch.create_schedule_group(Name=g)
    check_pages(sch, "ListScheduleGroups", _by("Name"), groups, 4)
    names = [f"s{i}" for i in range(8)]
    for n in names:
        sch.create_schedule(Name=n, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"},
                            Target=target)
    check_pages(sch, "ListSchedules", _by("Name"), names, 3)


# -- Lambda --------------------------------------------------------------------------------------
def test_lambda_paginators_and_waiters():
    cloud = Cloud()
    lam = cloud.client("lambda")
    arns = [_function(cloud, f"fn{i}") for i in range(6)]
    names = [f"fn{i}" for i in range(6)]
    check_pages(lam, "ListFunctions", _by("FunctionName"), names, 4)
    lam.publish_version(FunctionName="fn0")
    lam.get_waiter("published_version_active").wait(FunctionName="fn0", Qualifier="1")
    lam.update_function_configuration(FunctionName="fn0", Description="changed")
    lam.get_waiter("function_updated").wait(FunctionName="fn0")
    lam.get_waiter("function_updated_v2").wait(FunctionName="fn0")
    versions = ["$LATEST", "1"]
    check_pages(lam, "ListVersionsByFunction", _by("Version"), versions, 1, FunctionName="fn0")
    aliases = [f"a{i}" for i in range(5)]
    for a in aliases:
        lam.create_alias(FunctionName="fn0", Name=a, FunctionVersion="1")
    check_pages(lam, "ListAliases", _by("Name"), aliases, 2, FunctionName="fn0")
    lam.get_waiter("function_exists").wait(FunctionName="fn5")
    lam.get_waiter("function_active").wait(FunctionName="fn5")
    lam.get_waiter("function_active_v2").wait(FunctionName="fn5")
    with pytest.raises(WaiterError):
        lam.get_waiter("function_exists").wait(FunctionName="nope", WaiterConfig={"MaxAttempts": 2})
    del arns


# -- Step Functions ------------------------------------------------------------------------------
def test_stepfunctions_paginators():
    cloud = Cloud()
    sfn = cloud.client("stepfunctions")
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    arns = [sfn.create_state_machine(name=f"sm{i}", definition=definition, roleArn=ROLE)["stateMachineArn"]
            for i in range(5)]
    check_pages(sfn, "ListStateMachines", _by("stateMachineArn"), arns, 2)
    runs = [sfn.start_execution(stateMachineArn=arns[0], name=f"e{i}")["executionArn"] for i in range(5)]
    cloud.run_until_idle()
    check_pages(sfn, "ListExecutions", _by("executionArn"), runs, 2, stateMachineArn=arns[0])
    history = sfn.get_execution_history(executionArn=runs[0])["events"]
    check_pages(sfn, "GetExecutionHistory", _by("id"), [e["id"] for e in history], 2, executionArn=runs[0])
    acts = [sfn.create_activity(name=f"act{i}")["activityArn"] for i in range(5)]
    check_pages(sfn, "ListActivities", _by("activityArn"), acts, 2)


# -- API Gateway ---------------------------------------------------------------------------------
def test_apigateway_rest_paginators():
    cloud = Cloud()
    apigw = cloud.client("apigateway")
    ids = [apigw.create_rest_api(name=f"api{i}")["id"] for i in range(5)]
    check_pages(apigw, "GetRestApis", _by("id"), ids, 2)
    root = apigw.get_resources(restApiId=ids[0])["items"][0]["id"]
    res = [root] + [apigw.create_resource(restApiId=ids[0], parentId=root, pathPart=f"p{i}")["id"]
                    for i in range(4)]
    check_pages(apigw, "GetResources", _by("id"), res, 2, restApiId=ids[0])


def test_apigatewayv2_paginators():
    cloud = Cloud()
    v2 = cloud.client("apigatewayv2")
    ids = [v2.create_api(Name=f"api{i}", ProtocolType="HTTP")["ApiId"] for i in range(5)]
    check_pages(v2, "GetApis", _by("ApiId"), ids, 2)
    fn = _function(cloud)
    integ = [v2.create_integration(ApiId=ids[0], IntegrationType="AWS_PROXY", IntegrationUri=fn,
                                   PayloadFormatVersion="2.0")["IntegrationId"] for _ in range(3)]
    check_pages(v2, "GetIntegrations", _by("IntegrationId"), integ, 2, ApiId=ids[0])
    routes = [v2.create_route(ApiId=ids[0], RouteKey=f"GET /r{i}",
                              Target=f"integrations/{integ[0]}")["RouteId"] for i in range(5)]
    check_pages(v2, "GetRoutes", _by("RouteId"), routes, 2, ApiId=ids[0])
    stages = [v2.create_stage(ApiId=ids[0], StageName=f"s{i}")["StageName"] for i in range(3)]
    check_pages(v2, "GetStages", _by("StageName"), stages, 2, ApiId=ids[0])
    deps = [v2.create_deployment(ApiId=ids[0])["DeploymentId"] for _ in range(3)]
    check_pages(v2, "GetDeployments", _by("DeploymentId"), deps, 2, ApiId=ids[0])


# -- Cognito -------------------------------------------------------------------------------------
def test_cognito_idp_paginators():
    cloud = Cloud()
    idp = cloud.client("cognito-idp")
    pools = [idp.create_user_pool(PoolName=f"p{i}")["UserPool"]["Id"] for i in range(5)]
    check_pages(idp, "ListUserPools", _by("Id"), pools, 2, full_limit=60, MaxResults=60)
    pool = pools[0]
    clients = [idp.create_user_pool_client(UserPoolId=pool, ClientName=f"c{i}")["UserPoolClient"]["ClientId"]
               for i in range(5)]
    check_pages(idp, "ListUserPoolClients", _by("ClientId"), clients, 2, full_limit=60, UserPoolId=pool)
    users = [f"user{i}" for i in range(5)]
    for u in users:
        idp.admin_create_user(UserPoolId=pool, Username=u)
    check_pages(idp, "ListUsers", _by("Username"), users, 2, full_limit=60, UserPoolId=pool)
    groups = [f"grp{i}" for i in range(5)]
    for g in groups:
        idp.create_group(UserPoolId=pool, GroupName=g)
        idp.admin_add_user_to_group(UserPoolId=pool, Username="user0", GroupName=g)
    for u in users[1:]:
        idp.admin_add_user_to_group(UserPoolId=pool, Username=u, GroupName="grp0")
    check_pages(idp, "ListGroups", _by("GroupName"), groups, 2, full_limit=60, UserPoolId=pool)
    check_pages(idp, "AdminListGroupsForUser", _by("GroupName"), groups, 2, full_limit=60,
                UserPoolId=pool, Username="user0")
    check_pages(idp, "ListUsersInGroup", _by("Username"), users, 2, full_limit=60,
                UserPoolId=pool, GroupName="grp0")


def test_cognito_identity_paginator():
    cloud = Cloud()
    ci = cloud.client("cognito-identity")
    ids = [ci.create_identity_pool(IdentityPoolName=f"ids{i}", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
           for i in range(5)]
    check_pages(ci, "ListIdentityPools", _by("IdentityPoolId"), ids, 2, full_limit=60, MaxResults=60)


# -- IAM -----------------------------------------------------------------------------------------
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def test_iam_paginators():
    cloud = Cloud()
    iam = cloud.client("iam")
    roles = [f"role{i}" for i in range(5)]
    for r in roles:
        iam.create_role(RoleName=r, AssumeRolePolicyDocument=TRUST, Tags=[{"Key": "k", "Value": r}])
    check_pages(iam, "ListRoles", _by("RoleName"), roles, 2)
    users = [f"user{i}" for i in range(5)]
    for u in users:
        iam.create_user(UserName=u)
    check_pages(iam, "ListUsers", _by("UserName"), users, 2)
    groups = [f"group{i}" for i in range(5)]
    for g in groups:
        iam.create_group(GroupName=g)
        iam.add_user_to_group(GroupName=g, UserName="user0")
    for u in users[1:]:
        iam.add_user_to_group(GroupName="group0", UserName=u)
    check_pages(iam, "ListGroups", _by("GroupName"), groups, 2)
    check_pages(iam, "ListGroupsForUser", _by("GroupName"), groups, 2, UserName="user0")
    check_pages(iam, "GetGroup", _by("UserName"), users, 2, GroupName="group0")
    arns = [iam.create_policy(PolicyName=f"pol{i}", PolicyDocument=DOC)["Policy"]["Arn"] for i in range(5)]
    check_pages(iam, "ListPolicies", _by("Arn"), arns, 2, Scope="Local")
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arns[0], PolicyDocument=DOC)
    check_pages(iam, "ListPolicyVersions", _by("VersionId"), ["v1", "v2", "v3", "v4"], 2, PolicyArn=arns[0])
    for a in arns:
        iam.attach_role_policy(RoleName="role0", PolicyArn=a)
        iam.attach_user_policy(UserName="user0", PolicyArn=a)
    check_pages(iam, "ListAttachedRolePolicies", _by("PolicyArn"), arns, 2, RoleName="role0")
    check_pages(iam, "ListAttachedUserPolicies", _by("PolicyArn"), arns, 2, UserName="user0")
    inline = [f"in{i}" for i in range(5)]
    for n in inline:
        iam.put_role_policy(RoleName="role0", PolicyName=n, PolicyDocument=DOC)
        iam.put_user_policy(UserName="user0", PolicyName=n, PolicyDocument=DOC)
    check_pages(iam, "ListRolePolicies", _same, inline, 2, RoleName="role0")
    check_pages(iam, "ListUserPolicies", _same, inline, 2, UserName="user0")
    iam.tag_role(RoleName="role0", Tags=[{"Key": f"t{i}", "Value": "v"} for i in range(4)])
    check_pages(iam, "ListRoleTags", _by("Key"), ["k", "t0", "t1", "t2", "t3"], 2, RoleName="role0")
    keys = [iam.create_access_key(UserName="user1")["AccessKey"]["AccessKeyId"] for _ in range(2)]
    check_pages(iam, "ListAccessKeys", _by("AccessKeyId"), keys, 1, UserName="user1")
    actions = [f"s3:Action{i}" for i in range(5)]
    check_pages(iam, "SimulateCustomPolicy", _by("EvalActionName"), actions, 2,
                PolicyInputList=[DOC], ActionNames=actions)
    check_pages(iam, "SimulatePrincipalPolicy", _by("EvalActionName"), actions, 2,
                PolicySourceArn=iam.get_user(UserName="user0")["User"]["Arn"], ActionNames=actions)


def test_iam_waiters():
    cloud = Cloud()
    iam = cloud.client("iam")
    start = cloud.now
    cloud.call_later(2.5, lambda: iam.create_role(RoleName="late", AssumeRolePolicyDocument=TRUST))
    iam.get_waiter("role_exists").wait(RoleName="late")
    assert (cloud.now - start).total_seconds() == 3
    cloud.call_later(1, lambda: iam.create_user(UserName="u"))
    iam.get_waiter("user_exists").wait(UserName="u")
    arn = iam.create_policy(PolicyName="p", PolicyDocument=DOC)["Policy"]["Arn"]
    iam.get_waiter("policy_exists").wait(PolicyArn=arn)
    with pytest.raises(WaiterError) as e:
        iam.get_waiter("role_exists").wait(RoleName="never", WaiterConfig={"MaxAttempts": 3})
    assert e.value.reason == "Max attempts exceeded"


# -- once answered in one page: a page size of 1 gives one item ------------------------------------
def _unpaged_cases():
    def rest_apis(cloud):
        for i in range(3):
            cloud.client("apigateway").create_rest_api(name=f"a{i}")
        return "apigateway", "GetRestApis", {}
    def http_apis(cloud):
        for i in range(3):
            cloud.client("apigatewayv2").create_api(Name=f"a{i}", ProtocolType="HTTP")
        return "apigatewayv2", "GetApis", {}
    return [rest_apis, http_apis]


@pytest.mark.parametrize("setup", _unpaged_cases(), ids=lambda f: f.__name__)
def test_service_honours_page_size(setup):
    cloud = Cloud()
    service, op, kwargs = setup(cloud)
    spec = PAGINATORS[service][op]
    page = getattr(cloud.client(service), snake_case(op))(**kwargs, **{spec.limit_key: 1})
    assert len(page[spec.result_keys[0]]) == 1


# -- the tables against the services -------------------------------------------------------------
@pytest.mark.parametrize("service", SERVICES)
def test_every_table_entry_is_answerable(service):
    """Each service's pageable operations have a paginator; STS and DynamoDB Streams have none
    (botocore models none for them either)."""
    client = Cloud().client(service)
    for op in PAGINATORS.get(service, {}):
        if op in client._service.operations:
            assert client.can_paginate(snake_case(op))
    for name, spec in WAITERS.get(service, {}).items():
        assert (snake_case(name) in client.waiter_names) == (spec.operation in client._service.operations)


def test_tables_match_botocore_models():
    """Our rows carry the same facts as botocore's paginators-1.json / waiters-2.json, and every
    operation botocore paginates that our service implements has a row."""
    botocore_session = pytest.importorskip("botocore.session")
    loader = botocore_session.get_session().get_component("data_loader")
    cloud = Cloud()
    for service in SERVICES + ["dynamodb", "cloudwatch", "logs"]:
        ops = cloud.service(service).operations
        try:
            model = loader.load_service_model(service, "paginators-1")["pagination"]
        except Exception:
            model = {}
        ours = PAGINATORS.get(service, {})
        for op, cfg in model.items():
            if op in ops:
                assert op in ours, f"{service} {op} pages in botocore but has no row"
        for op, spec in ours.items():
            # Rows for operations we do not implement yet are inert: skip them. botocore releases
            # after the one these rows were written from may add result keys (DescribeAlarms
            # gained LogAlarms), so ours must be among botocore's rather than equal to them.
            if op not in model or op not in ops:
                continue
            cfg = model[op]
            as_tuple = lambda v: tuple(v) if isinstance(v, list) else (v,)  # noqa: E731
            assert spec.input_tokens == as_tuple(cfg["input_token"]), (service, op)
            assert spec.output_tokens == as_tuple(cfg["output_token"]), (service, op)
            assert set(spec.result_keys) <= set(as_tuple(cfg["result_key"])), (service, op)
            assert spec.limit_key == cfg.get("limit_key"), (service, op)
            assert spec.more_results == cfg.get("more_results"), (service, op)
            assert set(spec.non_aggregate_keys) <= set(cfg.get("non_aggregate_keys", ())), (service, op)
        try:
            waiters = loader.load_service_model(service, "waiters-2")["waiters"]
        except Exception:
            waiters = {}
        for name, spec in WAITERS.get(service, {}).items():
            w = waiters[name]
            assert (spec.operation, spec.delay, spec.max_attempts) == (w["operation"], w["delay"], w["maxAttempts"])
            theirs = [(a["state"], a["matcher"], a["expected"], a.get("argument")) for a in w["acceptors"]]
            assert all((a.state, a.matcher, a.expected, a.argument) in theirs for a in spec.acceptors), name
