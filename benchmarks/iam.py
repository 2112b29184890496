"""IAM: policy evaluations per wall second, and what enforcement adds to a DynamoDB GetItem.

Method:

1. **Evaluations.** An IAM user with one managed policy of 20 statements (actions of six
   services, wildcards such as ``dynamodb:Get*`` and ``s3:*Object``, resources with ``*``, two
   explicit denies, conditions: ``StringEquals`` on a principal tag, ``StringLike`` with a policy
   variable, ``ForAllValues:StringEquals`` on ``dynamodb:LeadingKeys``, ``Bool``,
   ``NumericLessThan``, ``DateLessThan`` on the virtual clock). "uncached" decides 1,000 distinct
   (action, resource, context) requests round-robin through the compiled ``PolicySet`` (every
   statement the action's service can match is evaluated); "principal, cached" goes through
   ``Principal.decide`` as enforcement does (decisions memoised per action, resource and the
   request keys the policy reads). The policy is compiled once per principal (and again only
   after an IAM change).
2. **GetItem overhead.** One table, one item; ``get_item`` through ``cloud.client("dynamodb")``
   (trusted, no enforcement) and through ``cloud.client("dynamodb", credentials=...)`` of an
   assumed-role session allowed ``dynamodb:GetItem`` on the table, and of a Cognito identity-pool
   session whose policy restricts ``dynamodb:LeadingKeys`` to its identity id (fine-grained: the
   key is read from each request). Rounds interleave the clients; the best round of each counts
   (wall-clock noise only ever adds time). The Cloud keeps no trace records.
3. **Tokens.** Cognito sign-ins (USER_PASSWORD_AUTH: two RS256 signatures) and
   ``verify_cognito_token`` per second with AWS's 2,048-bit keys.

    python benchmarks/iam.py [--requests 100000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "identity"))

import identity_helpers  # noqa: E402

from serverless_sim import Cloud  # noqa: E402

ACCT = "123456789012"


def twenty_statements() -> list[dict]:
    s = [
        {"Effect": "Allow", "Action": ["dynamodb:Get*", "dynamodb:Query", "dynamodb:BatchGetItem"],
         "Resource": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders"},
        {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": f"arn:aws:dynamodb:*:{ACCT}:table/orders*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "orders"}}},
        {"Effect": "Allow", "Action": ["dynamodb:UpdateItem", "dynamodb:DeleteItem"],
         "Resource": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/sessions",
         "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}}},
        {"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*Object", "Resource": "arn:aws:s3:::uploads/${aws:username}/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::uploads",
         "Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}}},
        {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
         "Resource": f"arn:aws:sqs:us-east-1:{ACCT}:jobs-*"},
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": f"arn:aws:sns:us-east-1:{ACCT}:alerts"},
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": f"arn:aws:lambda:us-east-1:{ACCT}:function:api-*"},
        {"Effect": "Allow", "Action": "states:StartExecution", "Resource": f"arn:aws:states:us-east-1:{ACCT}:stateMachine:*"},
        {"Effect": "Allow", "Action": "events:PutEvents", "Resource": f"arn:aws:events:us-east-1:{ACCT}:event-bus/default"},
        {"Effect": "Allow", "Action": "logs:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Deny", "NotAction": ["dynamodb:*", "s3:*", "sqs:*", "sns:*", "lambda:*", "states:*", "events:*", "logs:*"],
         "Resource": "*"},
        {"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/reports",
         "Condition": {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}},
        {"Effect": "Allow", "Action": "sqs:GetQueueAttributes", "Resource": "*",
         "Condition": {"NumericLessThan": {"sqs:limit": "10"}}},
        {"Effect": "Allow", "Action": "dynamodb:DescribeTable", "Resource": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/*"},
        {"Effect": "Allow", "Action": "s3:GetBucketLocation", "Resource": "arn:aws:s3:::*"},
        {"Effect": "Allow", "Action": "sns:Subscribe", "Resource": f"arn:aws:sns:us-east-1:{ACCT}:*",
         "Condition": {"StringEquals": {"sns:Protocol": "sqs"}}},
        {"Effect": "Allow", "Action": "lambda:GetFunction", "Resource": "*"},
        {"Effect": "Allow", "Action": "events:Describe*", "Resource": "*"},
    ]
    assert len(s) == 20
    return s


def requests() -> list[tuple[str, str, dict]]:
    out = []
    actions = [("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:%s:table/orders" % ACCT),
               ("dynamodb:UpdateItem", "arn:aws:dynamodb:us-east-1:%s:table/sessions" % ACCT),
               ("s3:GetObject", "arn:aws:s3:::uploads/alice/photo-%d.jpg"),
               ("s3:GetObject", "arn:aws:s3:::uploads/bob/photo-%d.jpg"),
               ("sqs:SendMessage", "arn:aws:sqs:us-east-1:%s:jobs-%%d" % ACCT),
               ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:%s:function:api-%%d" % ACCT),
               ("dynamodb:DeleteTable", "arn:aws:dynamodb:us-east-1:%s:table/t%%d" % ACCT),
               ("iam:CreateUser", "arn:aws:iam::%s:user/u%%d" % ACCT)]
    for i in range(1000):
        action, res = actions[i % len(actions)]
        res = res % i if "%d" in res else res
        ctx = {"dynamodb:leadingkeys": ["alice" if i % 2 else "bob"]}
        out.append((action, res, ctx))
    return out


def bench_evaluations(n: int) -> dict[str, float]:
    cloud = Cloud(seed=1, trace="none")
    iam = cloud.client("iam")
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "orders"}])
    arn = iam.create_policy(PolicyName="p20", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": twenty_statements()}, separators=(",", ":")))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    store = cloud.service("iam").store
    principal = store.user_principal(store.users["alice"])
    t = time.perf_counter()
    ps = principal.policies()
    compile_s = time.perf_counter() - t
    reqs = requests()
    full = [(a, r, {**principal.context, **c, "aws:currenttime": "2026-01-01T00:00:00Z"}) for a, r, c in reqs]
    decide = ps.decide
    t = time.perf_counter()
    for i in range(n):
        a, r, c = full[i % 1000]
        decide(a, r, c)
    uncached = n / (time.perf_counter() - t)
    pdecide = principal.decide
    for a, r, c in reqs:
        pdecide(a, r, c)
    t = time.perf_counter()
    for i in range(n):
        a, r, c = reqs[i % 1000]
        pdecide(a, r, c)
    cached = n / (time.perf_counter() - t)
    return {"compile_ms": compile_s * 1000, "uncached_per_s": uncached, "cached_per_s": cached,
            "time_dependent": ps.time_dependent}


def bench_getitem(n: int, rounds: int) -> dict[str, float]:
    cloud = identity_helpers.make_cloud(seed=3, key_bits=1024, trace="none")
    pool, client = identity_helpers.user_pool(cloud)
    identity_helpers.signed_up(cloud, pool, client)
    ddb = cloud.client("dynamodb")
    ddb.create_table(TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    iam = cloud.client("iam")
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName="reader", PolicyName="get", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders"}]}))
    role_creds = cloud.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/reader",
                                                 RoleSessionName="bench", DurationSeconds=3600)["Credentials"]
    ci = cloud.client("cognito-identity")
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool}"
    ip = ci.create_identity_pool(IdentityPoolName="b", AllowUnauthenticatedIdentities=False,
                                 CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client}])["IdentityPoolId"]
    arn = iam.create_role(RoleName="user", AssumeRolePolicyDocument=identity_helpers.web_identity_trust(ip))["Role"]["Arn"]
    iam.put_role_policy(RoleName="user", PolicyName="own", PolicyDocument=identity_helpers.doc({
        "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders",
        "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]}}}))
    ci.set_identity_pool_roles(IdentityPoolId=ip, Roles={"authenticated": arn})
    logins = {provider: identity_helpers.sign_in(cloud, client)["IdToken"]}
    iid = ci.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"]
    user_creds = ci.get_credentials_for_identity(IdentityId=iid, Logins=logins)["Credentials"]
    ddb.put_item(TableName="orders", Item={"pk": {"S": iid}, "v": {"N": "1"}})
    clients = {"trusted": ddb, "role": cloud.client("dynamodb", credentials=role_creds),
               "fine-grained": cloud.client("dynamodb", credentials=user_creds)}
    key = {"pk": {"S": iid}}
    for c in clients.values():
        assert c.get_item(TableName="orders", Key=key)["Item"]
    best = {name: float("inf") for name in clients}
    for _ in range(rounds):
        for name, c in clients.items():
            get = c.get_item
            t = time.perf_counter()
            for _ in range(n):
                get(TableName="orders", Key=key)
            best[name] = min(best[name], (time.perf_counter() - t) / n)
    out = {f"{k}_us": v * 1e6 for k, v in best.items()}
    out["role_overhead_pct"] = (best["role"] / best["trusted"] - 1) * 100
    out["fine_grained_overhead_pct"] = (best["fine-grained"] / best["trusted"] - 1) * 100
    return out


def bench_tokens(n: int) -> dict[str, float]:
    from serverless_sim.cognito import verify_cognito_token

    cloud = identity_helpers.make_cloud(seed=4, key_bits=2048, trace="none")
    pool, client = identity_helpers.user_pool(cloud)
    identity_helpers.signed_up(cloud, pool, client)
    identity_helpers.sign_in(cloud, client)  # keys made
    t = time.perf_counter()
    for _ in range(n):
        res = identity_helpers.sign_in(cloud, client)
    sign_ins = n / (time.perf_counter() - t)
    token = res["IdToken"]
    t = time.perf_counter()
    for _ in range(n * 10):
        verify_cognito_token(cloud, token, [pool])
    verifies = n * 10 / (time.perf_counter() - t)
    return {"sign_ins_per_s": sign_ins, "verifications_per_s": verifies}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    identity_helpers.register()
    ev = bench_evaluations(args.requests)
    print(f"20-statement policy: compile {ev['compile_ms']:.2f} ms; "
          f"{ev['uncached_per_s']:,.0f} evaluations/s uncached; {ev['cached_per_s']:,.0f}/s through the principal "
          f"(time-dependent policy: {ev['time_dependent']})")
    gi = bench_getitem(max(1000, args.requests // 5), args.rounds)
    print(f"GetItem: trusted {gi['trusted_us']:.2f} us; role credentials {gi['role_us']:.2f} us "
          f"(+{gi['role_overhead_pct']:.1f}%); fine-grained LeadingKeys {gi['fine-grained_us']:.2f} us "
          f"(+{gi['fine_grained_overhead_pct']:.1f}%)")
    tk = bench_tokens(20)
    print(f"Cognito, 2,048-bit keys: {tk['sign_ins_per_s']:,.1f} sign-ins/s (2 RS256 signatures each); "
          f"{tk['verifications_per_s']:,.0f} token verifications/s")


if __name__ == "__main__":
    main()
