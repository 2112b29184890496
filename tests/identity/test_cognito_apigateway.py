"""Cognito user-pool tokens at API Gateway: REST COGNITO_USER_POOLS and HTTP JWT authorizers
accept exactly the tokens the pool issued, and reject expired, tampered or foreign ones."""

from __future__ import annotations

from typing import Any

from serverless_sim import Cloud

URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{}/invocations"


def setup(seed: int = 3) -> tuple[Cloud, list[dict[str, Any]], str, str, str]:
    cloud = Cloud(seed=seed)
    cloud.service("cognito-idp").config.key_bits = 1024  # small keys keep the test fast
    seen: list[dict[str, Any]] = []

    def backend(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append(event)
        return {"statusCode": 200, "body": "ok"}

    cloud.service("lambda").create_function_from_callable("backend", backend, duration=0.01)
    idp = cloud.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="users")["UserPool"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                                    "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    cloud.service("cognito-idp").create_user(pool["Id"], "alice", "Passw0rd!Passw0rd")
    return cloud, seen, pool["Id"], pool["Arn"], client_id


def test_rest_cognito_authorizer_accepts_pool_tokens_and_passes_claims():
    cloud, seen, pool_id, pool_arn, client_id = setup()
    c = cloud.client("apigateway")
    api = c.create_rest_api(name="secure")["id"]
    aid = c.create_authorizer(restApiId=api, name="cog", type="COGNITO_USER_POOLS",
                              providerARNs=[pool_arn], identitySource="method.request.header.Authorization")["id"]
    root = c.get_resources(restApiId=api)["items"][0]["id"]
    rid = c.create_resource(restApiId=api, parentId=root, pathPart="me")["id"]
    c.put_method(restApiId=api, resourceId=rid, httpMethod="GET", authorizationType="COGNITO_USER_POOLS",
                 authorizerId=aid)
    c.put_integration(restApiId=api, resourceId=rid, httpMethod="GET", type="AWS_PROXY",
                      integrationHttpMethod="POST", uri=URI.format("backend"))
    c.create_deployment(restApiId=api, stageName="prod")
    gw = cloud.apigateway
    tokens = cloud.service("cognito-idp").sign_in(client_id, "alice", "Passw0rd!Passw0rd")
    ok = gw.request(api, "GET", "/prod/me", headers={"Authorization": tokens["IdToken"]})
    assert ok.status == 200
    claims = seen[-1]["requestContext"]["authorizer"]["claims"]
    assert claims["cognito:username"] == "alice" and claims["token_use"] == "id"
    # Tampered: flip a character of the signature.
    bad = tokens["IdToken"][:-3] + ("A" if tokens["IdToken"][-3] != "A" else "B") + tokens["IdToken"][-2:]
    assert gw.request(api, "GET", "/prod/me", headers={"Authorization": bad}).status == 401
    # Foreign: another Cloud (another seed, so other keys and pool ids) issued this token.
    # (A Cloud with the *same* seed would issue the very same token: that is determinism.)
    other = setup(seed=4)
    foreign = other[0].service("cognito-idp").sign_in(other[4], "alice", "Passw0rd!Passw0rd")["IdToken"]
    assert gw.request(api, "GET", "/prod/me", headers={"Authorization": foreign}).status in (401, 403)
    # Expired: ID tokens live 60 minutes by default.
    cloud.advance(3601)
    assert gw.request(api, "GET", "/prod/me", headers={"Authorization": tokens["IdToken"]}).status == 401
    assert len(seen) == 1


def test_http_jwt_authorizer_with_a_user_pool_issuer():
    cloud, seen, pool_id, pool_arn, client_id = setup()
    gw = cloud.apigateway
    v2 = cloud.client("apigatewayv2")
    api = gw.create_http_api("j", {"GET /me": "backend"})
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    aid = v2.create_authorizer(ApiId=api, Name="jwt", AuthorizerType="JWT",
                               IdentitySource=["$request.header.Authorization"],
                               JwtConfiguration={"Issuer": issuer, "Audience": [client_id]})["AuthorizerId"]
    rid = v2.get_routes(ApiId=api)["Items"][0]["RouteId"]
    v2.update_route(ApiId=api, RouteId=rid, AuthorizationType="JWT", AuthorizerId=aid)
    tokens = cloud.service("cognito-idp").sign_in(client_id, "alice", "Passw0rd!Passw0rd")
    r = gw.request(api, "GET", "/me", headers={"Authorization": f"Bearer {tokens['IdToken']}"})
    assert r.status == 200
    assert seen[-1]["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:username"] == "alice"
    # The access token has no "aud" (it carries client_id): API Gateway accepts it by client_id.
    r2 = gw.request(api, "GET", "/me", headers={"Authorization": f"Bearer {tokens['AccessToken']}"})
    assert r2.status == 200
    cloud.advance(3601)
    assert gw.request(api, "GET", "/me", headers={"Authorization": f"Bearer {tokens['IdToken']}"}).status == 401
