"""Cognito's JWTs: RS256 in pure Python (checked against an independent implementation),
2,048-bit keys, JWKS and well-known URLs, the API Gateway helper verify_cognito_token, and a
property test that no tampered, expired or foreign token is ever accepted."""

from __future__ import annotations

import base64
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from identity_helpers import STRONG, identity_services, make_cloud, sign_in, signed_up, user_pool  # noqa: F401

from serverless_sim import AWSError
from serverless_sim.cognito import TokenError, jwks_for_issuer, verify_cognito_token, well_known
from serverless_sim.cognito.crypto import RsaKey, b64url, b64url_decode, decode_jwt, encode_jwt, key_for, verify


def test_rsa_keys_are_deterministic_and_cached():
    a = key_for(7, "t/1", 1024)
    b = key_for(7, "t/1", 1024)
    c = key_for(8, "t/1", 1024)
    assert a is b and a.n != c.n and a.n.bit_length() == 1024 and a.e == 65537
    fresh = RsaKey.generate(random.Random(5), 768)
    again = RsaKey.generate(random.Random(5), 768)
    assert fresh.n == again.n and (fresh.d * fresh.e) % ((fresh.p - 1) * (fresh.q - 1) // __import__("math").gcd(fresh.p - 1, fresh.q - 1)) == 1


def test_signatures_verify_with_an_independent_implementation():
    crypto = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key = key_for(7, "t/independent", 2048)
    assert key.n.bit_length() == 2048
    token = encode_jwt({"alg": "RS256", "kid": key.kid}, {"hello": "world"}, key)
    header, claims, signing, sig = decode_jwt(token)
    jwk = key.jwk()
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    public = crypto.RSAPublicNumbers(e, n).public_key()
    public.verify(sig, signing, padding.PKCS1v15(), hashes.SHA256())  # raises if wrong
    # and the other way round: a signature made by cryptography verifies here
    private = crypto.RSAPrivateNumbers(
        key.p, key.q, key.d, key.dp, key.dq, key.qinv, crypto.RSAPublicNumbers(e, n)).private_key()
    theirs = private.sign(b"message", padding.PKCS1v15(), hashes.SHA256())
    assert verify(n, e, b"message", theirs) and not verify(n, e, b"messagE", theirs)


def test_default_pools_use_2048_bit_keys_and_publish_jwks():
    cloud = make_cloud(key_bits=2048)
    pool, client = user_pool(cloud)
    doc = cloud.service("cognito-idp").jwks(pool)
    assert [k["alg"] for k in doc["keys"]] == ["RS256", "RS256"]
    for k in doc["keys"]:
        assert k["kty"] == "RSA" and k["use"] == "sig" and k["e"] == "AQAB"
        assert int.from_bytes(b64url_decode(k["n"]), "big").bit_length() == 2048
        assert len(k["kid"]) == 44
    url = f"https://cognito-idp.us-east-1.amazonaws.com/{pool}/.well-known/jwks.json"
    assert cloud.service("cognito-idp").jwks_url(pool) == url
    assert well_known(cloud, url) == doc
    conf = well_known(cloud, f"https://cognito-idp.us-east-1.amazonaws.com/{pool}/.well-known/openid-configuration")
    assert conf["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool}" and conf["jwks_uri"] == url
    keys = jwks_for_issuer(cloud, conf["issuer"])
    assert set(keys) == {k["kid"] for k in doc["keys"]}
    signed_up(cloud, pool, client)
    res = sign_in(cloud, client)
    assert verify_cognito_token(cloud, "Bearer " + res["IdToken"], [f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool}"])


def test_verify_cognito_token_rules():
    cloud = make_cloud()
    pool, client = user_pool(cloud)
    signed_up(cloud, pool, client)
    res = sign_in(cloud, client)
    arn = f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool}"
    c = verify_cognito_token(cloud, res["IdToken"], [arn], token_use="id", audiences=[client])
    assert c["cognito:username"] == "alice"
    assert verify_cognito_token(cloud, res["AccessToken"], [pool], token_use="access")["client_id"] == client
    with pytest.raises(TokenError, match="not an id token"):
        verify_cognito_token(cloud, res["AccessToken"], [arn], token_use="id")
    with pytest.raises(TokenError, match="audience"):
        verify_cognito_token(cloud, res["IdToken"], [arn], audiences=["someone-else"])
    other, _ = user_pool(cloud, PoolName="other")
    with pytest.raises(TokenError, match="not issued by one of"):
        verify_cognito_token(cloud, res["IdToken"], [other])
    # signed out: still valid for a JWT verifier (AWS documents this), refused with check_revocation
    cloud.client("cognito-idp").global_sign_out(AccessToken=res["AccessToken"])
    assert verify_cognito_token(cloud, res["IdToken"], [arn])
    with pytest.raises(TokenError, match="revoked"):
        verify_cognito_token(cloud, res["IdToken"], [arn], check_revocation=True)
    cloud.advance(3600)
    with pytest.raises(TokenError, match="expired"):
        verify_cognito_token(cloud, res["IdToken"], [arn])


# -- no bad token is ever accepted --------------------------------------------------------------
@pytest.fixture(scope="module")
def world():
    from serverless_sim.services import SERVICES
    from identity_helpers import OWN

    saved = {k: SERVICES.get(k) for k in OWN}
    for k, v in OWN.items():
        SERVICES.setdefault(k, v)
    cloud = make_cloud(seed=11)
    pool, client = user_pool(cloud)
    signed_up(cloud, pool, client)
    other_pool, other_client = user_pool(cloud, PoolName="other")
    signed_up(cloud, other_pool, other_client, "mallory")
    foreign_cloud = make_cloud(seed=12)
    fpool, fclient = user_pool(foreign_cloud)
    signed_up(foreign_cloud, fpool, fclient)
    ci = cloud.client("cognito-identity")
    ip = ci.create_identity_pool(IdentityPoolName="ids", AllowUnauthenticatedIdentities=False,
                                 CognitoIdentityProviders=[{"ProviderName": f"cognito-idp.us-east-1.amazonaws.com/{pool}",
                                                            "ClientId": client}])["IdentityPoolId"]
    good = sign_in(cloud, client)
    yield {"cloud": cloud, "pool": pool, "client": client, "good": good, "other": sign_in(cloud, other_client, "mallory"),
           "foreign": sign_in(foreign_cloud, fclient), "identity_pool": ip}
    for k, v in saved.items():
        if v is None:
            SERVICES.pop(k, None)


def _flip(segment: str, index: int, bit: int) -> str:
    raw = bytearray(b64url_decode(segment))
    if not raw:
        return segment + "A"
    raw[index % len(raw)] ^= 1 << (bit % 8)
    return b64url(bytes(raw))


def _resign_claims(token: str, change: dict) -> str:
    h, c, s = token.split(".")
    claims = json.loads(b64url_decode(c))
    claims.update(change)
    return f"{h}.{b64url(json.dumps(claims, separators=(',', ':')).encode())}.{s}"


MUTATIONS = ["flip_header", "flip_claims", "flip_signature", "claims_edit", "alg_none", "alg_hs256", "swap_signature",
             "foreign_pool", "foreign_cloud", "forged_with_own_key", "truncate", "expired"]


def mutate(world, which: str, kind: str, index: int, bit: int) -> tuple[str, bool]:
    """A bad token and whether the clock must be moved past its expiry first."""
    good = world["good"]["IdToken" if kind == "id" else "AccessToken"]
    h, c, s = good.split(".")
    if which == "flip_header":
        return f"{_flip(h, index, bit)}.{c}.{s}", False
    if which == "flip_claims":
        return f"{h}.{_flip(c, index, bit)}.{s}", False
    if which == "flip_signature":
        return f"{h}.{c}.{_flip(s, index, bit)}", False
    if which == "claims_edit":
        return _resign_claims(good, {"sub": "someone-else"} if index % 2 else {"exp": 9_999_999_999}), False
    if which == "alg_none":
        hdr = b64url(json.dumps({"alg": "none", "kid": json.loads(b64url_decode(h))["kid"]}).encode())
        return f"{hdr}.{c}.", False
    if which == "alg_hs256":
        import hashlib
        import hmac
        hdr = b64url(json.dumps({"alg": "HS256", "kid": json.loads(b64url_decode(h))["kid"]}).encode())
        sig = hmac.new(b"guess", f"{hdr}.{c}".encode(), hashlib.sha256).digest()
        return f"{hdr}.{c}.{b64url(sig)}", False
    if which == "swap_signature":
        other = world["other"]["IdToken" if kind == "id" else "AccessToken"]
        return f"{h}.{c}.{other.split('.')[2]}", False
    if which == "foreign_pool":
        return world["other"]["IdToken" if kind == "id" else "AccessToken"], False
    if which == "foreign_cloud":
        return world["foreign"]["IdToken" if kind == "id" else "AccessToken"], False
    if which == "forged_with_own_key":
        attacker = RsaKey.generate(random.Random(index), 1024)
        hdr = json.loads(b64url_decode(h))
        claims = json.loads(b64url_decode(c))
        return encode_jwt(hdr, claims, attacker), False
    if which == "truncate":
        return good[: max(1, index % len(good))], False
    return good, True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MUTATIONS), st.sampled_from(["id", "access"]), st.integers(0, 10_000), st.integers(0, 7))
def test_no_bad_token_is_accepted(world, which, kind, index, bit):
    cloud = world["cloud"]
    token, expire = mutate(world, which, kind, index, bit)
    saved_now = cloud.clock.now_us
    if expire:
        cloud.clock.now_us = saved_now + 3600 * 1_000_000
    try:
        arn = f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{world['pool']}"
        with pytest.raises(TokenError):
            verify_cognito_token(cloud, token, [arn])
        if which != "foreign_pool":  # (GetUser takes a valid token of any pool of this Cloud)
            idp = cloud.client("cognito-idp")
            with pytest.raises(AWSError) as exc:
                idp.get_user(AccessToken=token)
            assert exc.value.code in ("NotAuthorizedException", "UserNotFoundException")
        ci = cloud.client("cognito-identity")
        with pytest.raises(AWSError) as exc:
            ci.get_id(IdentityPoolId=world["identity_pool"],
                      Logins={f"cognito-idp.us-east-1.amazonaws.com/{world['pool']}": token})
        assert exc.value.code == "NotAuthorizedException"
    finally:
        cloud.clock.now_us = saved_now


def test_the_good_token_is_accepted(world):
    cloud = world["cloud"]
    assert verify_cognito_token(cloud, world["good"]["IdToken"], [world["pool"]])
    assert cloud.client("cognito-idp").get_user(AccessToken=world["good"]["AccessToken"])["Username"] == "alice"
