"""JSON Web Tokens: verification for HTTP API JWT authorizers, and a signing helper for tests.

JWT authorizers (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html):
the token comes from the identity source (default ``$request.header.Authorization``), with or
without a ``Bearer`` prefix. API Gateway checks, in order: the key (``kid``) in the issuer's JWKS
and the signature (RSA keys only: RS256 here); ``iss`` equal to the configured issuer; ``aud``
(or ``client_id`` when there is no ``aud``) among the configured audiences; ``exp`` after now,
``nbf`` and ``iat`` not after now (on the virtual clock); then the route's authorization scopes
against the token's ``scope`` / ``scp`` claim (one match suffices). A failed check is 401
``{"message":"Unauthorized"}`` with a ``www-authenticate: Bearer scope="" error="invalid_token"
error_description="..."`` header; missing scopes are 403 ``{"message":"Forbidden"}``
(``error="insufficient_scope"``). Error descriptions follow AWS's where documented
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html:
"the token does not have a valid audience"), and are the simulator's wording otherwise.

No network: an issuer's keys are registered with the Cloud by :class:`JwtIssuer` (which makes
an RSA key pair from a seeded stream, pure Python) or :meth:`register_jwks`. RS256 is verified
with modular exponentiation and the PKCS#1 v1.5 SHA-256 encoding; HS256 (what some Lambda
authorizers use) is available through :func:`sign_hs256` / :func:`verify_hs256`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..cloud import Cloud

# DER prefix of a SHA-256 DigestInfo (RFC 8017, section 9.2, note 1).
_SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    pad = "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(text + pad)


def _int_to_b64(n: int) -> str:
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class JwtError(Exception):
    """A token that fails a check; ``description`` goes into ``www-authenticate``."""

    def __init__(self, description: str, status: int = 401) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


def decode(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Header, claims, signing input and signature of a compact JWS (no verification)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("the token is malformed")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        sig = b64url_decode(parts[2])
    except (ValueError, UnicodeDecodeError):
        raise JwtError("the token is malformed") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JwtError("the token is malformed")
    return header, claims, f"{parts[0]}.{parts[1]}".encode(), sig


# -- RSA ---------------------------------------------------------------------------------------
_SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % q for q in range(3, int(p ** 0.5) + 1, 2))]


def _probable_prime(n: int, rng: random.Random, rounds: int = 24) -> bool:
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        a = rng.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random, e: int) -> int:
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if (n - 1) % e and _probable_prime(n, rng):
            return n


class RsaKey:
    """An RSA key pair (``n``, ``e``, ``d``) drawn from a random stream. 2,048 bits by default."""

    __slots__ = ("n", "e", "d", "kid")

    def __init__(self, rng: random.Random, bits: int = 2048, kid: str = "sim-key-1") -> None:
        e = 65537
        while True:
            p = _prime(bits // 2, rng, e)
            q = _prime(bits - bits // 2, rng, e)
            if p == q:
                continue
            n = p * q
            if n.bit_length() != bits:
                continue
            phi = (p - 1) * (q - 1)
            self.d = pow(e, -1, phi)
            break
        self.n, self.e, self.kid = n, e, kid

    def sign(self, message: bytes) -> bytes:
        k = (self.n.bit_length() + 7) // 8
        em = _emsa_pkcs1_sha256(message, k)
        return pow(int.from_bytes(em, "big"), self.d, self.n).to_bytes(k, "big")

    def jwk(self) -> dict[str, str]:
        return {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
                "n": _int_to_b64(self.n), "e": _int_to_b64(self.e)}


def _emsa_pkcs1_sha256(message: bytes, k: int) -> bytes:
    t = _SHA256_PREFIX + hashlib.sha256(message).digest()
    if k < len(t) + 11:
        raise ValueError("RSA key too short")
    return b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t


def verify_rs256(n: int, e: int, message: bytes, signature: bytes) -> bool:
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    return hmac.compare_digest(em, _emsa_pkcs1_sha256(message, k))


def sign_hs256(claims: dict[str, Any], secret: bytes | str, header: dict[str, Any] | None = None) -> str:
    """An HS256 token (for Lambda authorizers that check shared-secret tokens)."""
    key = secret.encode() if isinstance(secret, str) else secret
    h = {"alg": "HS256", "typ": "JWT", **(header or {})}
    signing = f"{b64url(json.dumps(h, separators=(',', ':')).encode())}.{b64url(json.dumps(claims, separators=(',', ':')).encode())}"
    sig = hmac.new(key, signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{b64url(sig)}"


def verify_hs256(token: str, secret: bytes | str) -> dict[str, Any]:
    """The claims of a valid HS256 token (raises JwtError)."""
    key = secret.encode() if isinstance(secret, str) else secret
    header, claims, signing, sig = decode(token)
    if header.get("alg") != "HS256" or not hmac.compare_digest(sig, hmac.new(key, signing, hashlib.sha256).digest()):
        raise JwtError("the token has an invalid signature")
    return claims


# -- issuers -------------------------------------------------------------------------------------
def jwks_registry(cloud: "Cloud") -> dict[str, dict[str, tuple[int, int]]]:
    """issuer URL -> kid -> (n, e): the keys JWT authorizers of this Cloud can fetch."""
    gw: Any = cloud.service("apigateway")
    return gw.gateway.jwks  # type: ignore[no-any-return]


def register_jwks(cloud: "Cloud", issuer: str, jwks: dict[str, Any]) -> None:
    """Publish a JWKS document (``{"keys": [{"kty": "RSA", "kid", "n", "e"}]}``) for ``issuer``."""
    keys = jwks_registry(cloud).setdefault(issuer.rstrip("/"), {})
    for k in jwks.get("keys", []):
        if k.get("kty") == "RSA":
            keys[k["kid"]] = (int.from_bytes(b64url_decode(k["n"]), "big"), int.from_bytes(b64url_decode(k["e"]), "big"))


class JwtIssuer:
    """A token issuer for tests: an RSA key from the Cloud's stream ``apigateway/jwt/<issuer>``,
    its JWKS published to the Cloud, and :meth:`token` to sign claims (RS256).

    ``JwtIssuer(cloud, "https://issuer.example.com")``; for Cognito use
    ``https://cognito-idp.<region>.amazonaws.com/<userPoolId>``.
    """

    def __init__(self, cloud: "Cloud", issuer: str, *, bits: int = 2048, kid: str = "sim-key-1") -> None:
        self.cloud = cloud
        self.issuer = issuer.rstrip("/")
        self.key = RsaKey(cloud.rng(f"apigateway/jwt/{self.issuer}"), bits, kid)
        register_jwks(cloud, self.issuer, {"keys": [self.key.jwk()]})

    def token(self, *, audience: str | list[str] | None = None, scope: str | None = None,
              subject: str = "user-1", expires_in: float = 3600, not_before: float | None = None,
              issued_at: float | None = None, kid: str | None = None, **claims: Any) -> str:
        """A signed token; times are virtual epoch seconds (``exp = now + expires_in``)."""
        now = self.cloud.now_us // 1_000_000
        body: dict[str, Any] = {"iss": self.issuer, "sub": subject,
                                "iat": int(now if issued_at is None else issued_at),
                                "exp": int(now + expires_in)}
        if audience is not None:
            body["aud"] = audience
        if scope is not None:
            body["scope"] = scope
        if not_before is not None:
            body["nbf"] = int(not_before)
        body.update(claims)
        header = {"alg": "RS256", "typ": "JWT", "kid": self.key.kid if kid is None else kid}
        signing = f"{b64url(json.dumps(header, separators=(',', ':')).encode())}.{b64url(json.dumps(body, separators=(',', ':')).encode())}"
        return f"{signing}.{b64url(self.key.sign(signing.encode()))}"


def validate(token: str, *, issuer: str, audiences: list[str], keys: dict[str, tuple[int, int]] | None,
             now_s: int, check_audience: bool = True) -> dict[str, Any]:
    """Check a JWT as an HTTP API JWT authorizer does; returns the claims (raises JwtError).
    ``check_audience=False`` for REST Cognito authorizers (which check signature, issuer, expiry)."""
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    header, claims, signing, sig = decode(token)
    if header.get("alg") != "RS256":
        raise JwtError("the token has an invalid signature")
    key = (keys or {}).get(header.get("kid"))  # type: ignore[arg-type]
    if key is None:
        raise JwtError("the kid in the token header is not in the issuer's keys")
    if not verify_rs256(key[0], key[1], signing, sig):
        raise JwtError("the token has an invalid signature")
    if claims.get("iss") != issuer.rstrip("/") and claims.get("iss") != issuer:
        raise JwtError("the token has an invalid issuer")
    aud = claims.get("aud")
    if aud is None:
        candidates = [claims["client_id"]] if isinstance(claims.get("client_id"), str) else []
    else:
        candidates = [aud] if isinstance(aud, str) else [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []
    if check_audience and not any(a in audiences for a in candidates):
        raise JwtError("the token does not have a valid audience")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp <= now_s:
        raise JwtError("the token has expired")
    nbf = claims.get("nbf")
    if isinstance(nbf, (int, float)) and nbf > now_s:
        raise JwtError("the token is not valid yet")
    iat = claims.get("iat")
    if isinstance(iat, (int, float)) and iat > now_s:
        raise JwtError("the token was issued in the future")
    return claims


def token_scopes(claims: dict[str, Any]) -> list[str]:
    s = claims.get("scope", claims.get("scp"))
    if isinstance(s, str):
        return s.split()
    if isinstance(s, list):
        return [x for x in s if isinstance(x, str)]
    return []


def claims_for_event(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as the integration sees them: strings (arrays as ``[a b]``)."""
    out: dict[str, str] = {}
    for k, v in claims.items():
        if isinstance(v, str):
            out[k] = v
        elif isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, list):
            out[k] = "[" + " ".join(str(x) for x in v) + "]"
        else:
            out[k] = str(v)
    return out


__all__ = [
    "JwtError", "JwtIssuer", "RsaKey", "b64url", "b64url_decode", "claims_for_event", "decode",
    "register_jwks", "sign_hs256", "token_scopes", "validate", "verify_hs256", "verify_rs256",
]
