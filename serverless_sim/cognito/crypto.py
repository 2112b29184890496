"""RS256 for Cognito's tokens, in pure Python: RSA keys from a seeded stream, PKCS#1 v1.5 signing.

- Keys: two primes of ``bits/2`` found by Miller-Rabin (after trial division by small primes) on
  candidates drawn from a ``random.Random`` seeded from the Cloud's seed and the key's name, so
  a pool's keys are the same in every run of a seed. ``e = 65537``; ``d = e^-1 mod lcm(p-1, q-1)``.
  Signing uses the CRT (two half-size exponentiations), about 4x faster than ``pow(m, d, n)``.
- Generating a 2,048-bit key takes a fraction of a second to a few seconds in CPython, so keys
  are cached per (seed, name, bits) for the process: every Cloud of a seed reuses them.
  ``CognitoConfig(key_bits=1024)`` makes smaller keys for fast tests (AWS uses 2,048).
- Signatures: EMSA-PKCS1-v1_5 with the SHA-256 DigestInfo (RFC 8017, section 9.2);
  verification recomputes the encoding and compares in constant time.
- The JWK of a key has ``kid`` (base64 of the SHA-256 of the modulus, AWS-like 44 characters),
  ``alg`` RS256, ``kty`` RSA, ``use`` sig, ``n`` and ``e`` (base64url, no padding).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from math import gcd
from typing import Any

from ..kernel.rng import derive_seed

_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_SMALL_PRIMES = [p for p in range(3, 3000, 2) if all(p % q for q in range(3, int(p ** 0.5) + 1, 2))]
E = 65537


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or any(c not in _B64URL for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _is_probable_prime(n: int, rng: random.Random, rounds: int = 40) -> bool:
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while not d & 1:
        d >>= 1
        s += 1
    for _ in range(rounds):
        a = rng.randrange(2, n - 1)
        x = pow(a, d, n)
        if x == 1 or x == n - 1:
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        n = rng.getrandbits(bits) | (3 << (bits - 2)) | 1  # top two bits set: p*q has 2*bits bits
        if (n - 1) % E and _is_probable_prime(n, rng):
            return n


class RsaKey:
    """An RSA key pair. ``sign(message)`` gives the RS256 signature; ``jwk()`` the public JWK."""

    __slots__ = ("n", "e", "d", "p", "q", "dp", "dq", "qinv", "kid", "size")

    def __init__(self, p: int, q: int) -> None:
        self.p, self.q = p, q
        self.n = p * q
        self.e = E
        lam = (p - 1) * (q - 1) // gcd(p - 1, q - 1)
        self.d = pow(E, -1, lam)
        self.dp = self.d % (p - 1)
        self.dq = self.d % (q - 1)
        self.qinv = pow(q, -1, p)
        self.size = (self.n.bit_length() + 7) // 8
        digest = hashlib.sha256(self.n.to_bytes(self.size, "big")).digest()
        self.kid = base64.b64encode(digest).decode("ascii")

    @classmethod
    def generate(cls, rng: random.Random, bits: int = 2048) -> "RsaKey":
        if bits < 512 or bits % 2:
            raise ValueError("RSA key size must be an even number of bits, at least 512")
        while True:
            p = _prime(bits // 2, rng)
            q = _prime(bits // 2, rng)
            if p != q and (p * q).bit_length() == bits:
                return cls(max(p, q), min(p, q))

    def sign(self, message: bytes) -> bytes:
        m = int.from_bytes(emsa_pkcs1_sha256(message, self.size), "big")
        # CRT: m^d mod n from its residues mod p and q
        m1 = pow(m, self.dp, self.p)
        m2 = pow(m, self.dq, self.q)
        h = self.qinv * (m1 - m2) % self.p
        s = m2 + h * self.q
        return s.to_bytes(self.size, "big")

    def jwk(self) -> dict[str, str]:
        return {"alg": "RS256", "e": b64url(self.e.to_bytes(3, "big")), "kid": self.kid, "kty": "RSA",
                "n": b64url(self.n.to_bytes(self.size, "big")), "use": "sig"}

    def __repr__(self) -> str:
        return f"<RsaKey {self.n.bit_length()} bits kid={self.kid}>"


def emsa_pkcs1_sha256(message: bytes, k: int) -> bytes:
    t = _DIGEST_INFO + hashlib.sha256(message).digest()
    if k < len(t) + 11:
        raise ValueError("intended encoded message length too short")
    return b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t


def verify(n: int, e: int, message: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 verification with SHA-256."""
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    return hmac.compare_digest(em, emsa_pkcs1_sha256(message, k))


_KEYS: dict[tuple[str, str, int], RsaKey] = {}


def key_for(seed: Any, name: str, bits: int) -> RsaKey:
    """The key named ``name`` of simulation ``seed`` (generated once per process)."""
    cache_key = (f"{seed!s}", name, bits)
    key = _KEYS.get(cache_key)
    if key is None:
        rng = random.Random(derive_seed(seed, f"keys/{name}"))
        key = _KEYS[cache_key] = RsaKey.generate(rng, bits)
    return key


# -- compact JWS ---------------------------------------------------------------------------
def encode_jwt(header: dict[str, Any], claims: dict[str, Any], key: RsaKey) -> str:
    h = b64url(json.dumps(header, separators=(",", ":")).encode())
    c = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signing = f"{h}.{c}"
    return f"{signing}.{b64url(key.sign(signing.encode('ascii')))}"


def decode_jwt(token: Any) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes] | None:
    """(header, claims, signing input, signature) of a compact JWS, or None when malformed."""
    if not isinstance(token, str):
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        sig = b64url_decode(parts[2])
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), sig
