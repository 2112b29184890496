"""Cognito's JSON Web Tokens: issuing, publishing keys (JWKS), and verifying.

https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-with-identity-providers.html

- Every user pool has two RSA key pairs: one signs ID tokens, the other access tokens (AWS signs
  them with different keys, so their ``kid`` differ). Both public keys are published at
  ``https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json``
  (:func:`jwks`, :func:`well_known`). Keys come from the Cloud's seed (see :mod:`.crypto`).
- ID token claims: ``sub``, ``cognito:groups`` (when the user is in groups, by precedence),
  ``email_verified``, ``iss`` (``https://cognito-idp.<region>.amazonaws.com/<poolId>``),
  ``cognito:username``, ``origin_jti``, ``aud`` (the app client id), ``event_id``,
  ``token_use: "id"``, ``auth_time``, ``exp``, ``iat``, ``jti`` and the user's other attributes.
  Access token: ``sub``, ``cognito:groups``, ``iss``, ``client_id``, ``origin_jti``, ``event_id``,
  ``token_use: "access"``, ``scope: "aws.cognito.signin.user.admin"``, ``auth_time``, ``exp``,
  ``iat``, ``jti``, ``username``. Times are epoch seconds on the virtual clock; ``origin_jti``,
  ``event_id`` and ``auth_time`` stay those of the original sign-in across refreshes.
- Refresh tokens are opaque (AWS's are encrypted JWTs): five base64url segments from the pool's
  random stream, looked up server-side.
- Revocation (GlobalSignOut, RevokeToken) is by ``origin_jti``: Cognito's own APIs refuse the
  session's access tokens and refresh token; a JWT library verifying signature and expiry (an
  API Gateway authorizer) still accepts them until they expire, as AWS documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from .crypto import RsaKey, decode_jwt, encode_jwt, key_for, verify

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .pools import UserPool

SCOPE_ADMIN = "aws.cognito.signin.user.admin"


def issuer(region: str, pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def jwks_url(region: str, pool_id: str) -> str:
    return f"{issuer(region, pool_id)}/.well-known/jwks.json"


def pool_keys(cloud: "Cloud", pool_id: str, bits: int) -> tuple[RsaKey, RsaKey]:
    """(ID-token key, access-token key) of a pool: fixed by the Cloud's seed and the pool id."""
    return (key_for(cloud.seed, f"cognito-idp/{pool_id}/id", bits),
            key_for(cloud.seed, f"cognito-idp/{pool_id}/access", bits))


def sign(claims: dict[str, Any], key: RsaKey) -> str:
    return encode_jwt({"kid": key.kid, "alg": "RS256"}, claims, key)


class TokenError(Exception):
    """A token that fails verification; ``description`` says why (for logs and 401 bodies)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def _idp(cloud: "Cloud") -> Any:
    return cloud.service("cognito-idp")


def jwks(cloud: "Cloud", pool_id: str) -> dict[str, Any]:
    """The pool's JSON Web Key Set, as its well-known URL serves it."""
    svc = _idp(cloud)
    pool = svc.pools.get(pool_id)
    if pool is None:
        raise TokenError(f"no user pool {pool_id}")
    id_key, access_key = svc.keys(pool)
    return {"keys": [id_key.jwk(), access_key.jwk()]}


def well_known(cloud: "Cloud", url: str) -> dict[str, Any]:
    """What ``GET url`` returns for a pool's ``/.well-known/jwks.json`` or
    ``/.well-known/openid-configuration`` (raises TokenError for other URLs)."""
    prefix = f"https://cognito-idp.{cloud.region}.amazonaws.com/"
    if not url.startswith(prefix):
        raise TokenError(f"not a Cognito user pool URL of this Cloud: {url}")
    pool_id, _, rest = url[len(prefix):].partition("/")
    if rest == ".well-known/jwks.json":
        return jwks(cloud, pool_id)
    if rest == ".well-known/openid-configuration":
        jwks(cloud, pool_id)
        iss = issuer(cloud.region, pool_id)
        return {"issuer": iss, "jwks_uri": f"{iss}/.well-known/jwks.json",
                "id_token_signing_alg_values_supported": ["RS256"], "subject_types_supported": ["public"],
                "response_types_supported": ["code", "token"],
                "scopes_supported": ["openid", "email", "phone", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}
    raise TokenError(f"not found: {url}")


def jwks_for_issuer(cloud: "Cloud", iss: str) -> dict[str, tuple[int, int]] | None:
    """``kid -> (n, e)`` of a Cognito issuer URL of this Cloud (for JWT authorizers), or None."""
    prefix = f"https://cognito-idp.{cloud.region}.amazonaws.com/"
    iss = iss.rstrip("/")
    if not iss.startswith(prefix):
        return None
    svc = _idp(cloud)
    pool = svc.pools.get(iss[len(prefix):])
    if pool is None:
        return None
    return {k.kid: (k.n, k.e) for k in svc.keys(pool)}


def _pool_id(ref: str) -> str:
    """A pool id from an id, a pool ARN, an issuer URL or a provider name."""
    ref = ref.rstrip("/")
    if ref.startswith("arn:"):
        return ref.rsplit("/", 1)[-1]
    return ref.rsplit("/", 1)[-1]


def check_token(cloud: "Cloud", token: Any, pool: "UserPool", *, token_use: str | None = None,
                audiences: Iterable[str] | None = None, check_revocation: bool = False,
                leeway_s: int = 0) -> dict[str, Any]:
    """The claims of a token ``pool`` issued (raises TokenError): signature by one of the pool's
    keys, ``iss``, ``token_use``, audience (``aud`` or ``client_id``), ``exp`` after now and
    ``iat`` not in the future, on the virtual clock; optionally not revoked."""
    parts = decode_jwt(token)
    if parts is None:
        raise TokenError("the token is malformed")
    header, claims, signing, sig = parts
    if header.get("alg") != "RS256":
        raise TokenError("the token is not signed with RS256")
    svc = _idp(cloud)
    key = next((k for k in svc.keys(pool) if k.kid == header.get("kid")), None)
    if key is None:
        raise TokenError("the kid in the token header is not in the pool's JWKS")
    if not verify(key.n, key.e, signing, sig):
        raise TokenError("the token has an invalid signature")
    if claims.get("iss") != issuer(svc.region, pool.pool_id):
        raise TokenError("the token has an invalid issuer")
    use = claims.get("token_use")
    if token_use is not None and use != token_use:
        raise TokenError(f"the token is not an {token_use} token")
    if use not in ("id", "access"):
        raise TokenError("the token has no valid token_use")
    if audiences is not None:
        aud = claims.get("aud") if use == "id" else claims.get("client_id")
        if aud not in set(audiences):
            raise TokenError("the token does not have a valid audience")
    now_s = cloud.now_us // 1_000_000
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp + leeway_s <= now_s:
        raise TokenError("the token has expired")
    iat = claims.get("iat")
    if not isinstance(iat, int) or iat > now_s + leeway_s:
        raise TokenError("the token was issued in the future")
    if check_revocation and claims.get("origin_jti") in pool.revoked:
        raise TokenError("the token has been revoked")
    return claims


def verify_cognito_token(cloud: "Cloud", token: Any, pools: Iterable[str], *,
                         token_use: str | None = None, audiences: Iterable[str] | None = None,
                         check_revocation: bool = False) -> dict[str, Any]:
    """Verify a token for an API Gateway Cognito authorizer; returns its claims.

    ``pools``: the authorizer's provider ARNs (``arn:aws:cognito-idp:<region>:<acct>:userpool/<id>``)
    or pool ids. A ``Bearer `` prefix is accepted. The token must be signed by one of those pools
    (its ``iss`` picks the pool), unexpired on the virtual clock, and when given, of
    ``token_use`` (``"id"``; ``"access"`` for methods with OAuth scopes) and for one of
    ``audiences`` (client ids). Raises :class:`TokenError` (the authorizer answers 401
    ``{"message": "Unauthorized"}``). Revoked (signed-out) tokens pass unless
    ``check_revocation``: API Gateway verifies tokens as a JWT library does.
    """
    if isinstance(token, str) and token[:7].lower() == "bearer ":
        token = token[7:].strip()
    parts = decode_jwt(token)
    if parts is None:
        raise TokenError("the token is malformed")
    iss = parts[1].get("iss")
    wanted = {_pool_id(p) for p in pools}
    svc = _idp(cloud)
    if not isinstance(iss, str) or _pool_id(iss) not in wanted:
        raise TokenError("the token was not issued by one of the authorizer's user pools")
    pool = svc.pools.get(_pool_id(iss))
    if pool is None:
        raise TokenError("the token's user pool does not exist")
    return check_token(cloud, token, pool, token_use=token_use, audiences=audiences,
                       check_revocation=check_revocation)
