"""The same identity scenario (sign-ups, tokens, identity ids, temporary credentials, IAM ids,
enforcement decisions) gives byte-identical results in fresh processes with different
PYTHONHASHSEED values; and two Clouds of one seed agree while different seeds differ."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from identity_helpers import identity_services  # noqa: F401

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

SCENARIO = r'''
import hashlib, json, sys
import identity_helpers as h
from serverless_sim import AWSError
h.register()

def scenario(seed):
    cloud = h.make_cloud(seed=seed)
    pool, client = h.user_pool(cloud)
    out = [pool, client]
    for name in ("alice", "bob", "carol"):
        out.append(h.signed_up(cloud, pool, client, name))
        out.append(cloud.service("cognito-idp").last_code(pool, name))
    tokens = h.sign_in(cloud, client)
    out += [tokens["IdToken"], tokens["AccessToken"], tokens["RefreshToken"]]
    ci = cloud.client("cognito-identity")
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool}"
    ip = ci.create_identity_pool(IdentityPoolName="i", AllowUnauthenticatedIdentities=True,
                                 CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client}])["IdentityPoolId"]
    iam = cloud.client("iam")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=h.web_identity_trust(ip, "*"))["Role"]
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=h.doc(
        {"Effect": "Allow", "Action": ["dynamodb:ListTables", "sqs:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "sqs:DeleteQueue", "Resource": "*"}))
    ci.set_identity_pool_roles(IdentityPoolId=ip, Roles={"authenticated": role["Arn"], "unauthenticated": role["Arn"]})
    logins = {provider: tokens["IdToken"]}
    iid = ci.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"]
    creds = ci.get_credentials_for_identity(IdentityId=iid, Logins=logins)["Credentials"]
    out += [ip, role["RoleId"], iid, creds["AccessKeyId"], creds["SecretKey"], creds["SessionToken"]]
    out.append(ci.get_id(IdentityPoolId=ip)["IdentityId"])
    user = iam.create_user(UserName="u")["User"]
    key = iam.create_access_key(UserName="u")["AccessKey"]
    out += [user["UserId"], key["AccessKeyId"], key["SecretAccessKey"]]
    for svc, op, kw in (("dynamodb", "list_tables", {}), ("sqs", "list_queues", {}), ("sqs", "delete_queue", {"QueueUrl": "q"}),
                        ("lambda", "list_functions", {})):
        try:
            getattr(cloud.client(svc, credentials=creds), op)(**kw)
            out.append(f"{svc}:{op}:ok")
        except AWSError as e:
            out.append(f"{svc}:{op}:{e.code}:{e.message}")
    out.append(json.dumps(cloud.service("cognito-idp").jwks(pool), sort_keys=True))
    out.append(cloud.trace.digest())
    return hashlib.sha256("\n".join(out).encode()).hexdigest()

print(scenario(int(sys.argv[1])))
'''


def run(hash_seed: str, sim_seed: int = 21) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]))
    out = subprocess.run([sys.executable, "-c", SCENARIO, str(sim_seed)], env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


def test_identity_scenario_is_independent_of_hash_seed():
    first = run("1")
    assert len(first) == 64
    assert first == run("2")
    assert run("3", sim_seed=22) != first
