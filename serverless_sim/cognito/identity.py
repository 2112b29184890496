"""Amazon Cognito identity pools of one Cloud (boto3's ``cognito-identity``): AWS credentials
for user-pool users and guests.

https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html (the enhanced
flow), https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/.

- **GetId** with ``Logins={"cognito-idp.<region>.amazonaws.com/<poolId>": <ID token>}`` verifies
  the token (signature against the user pool's JWKS, issuer = provider name, ``aud`` = one of
  the identity pool's app clients, unexpired on the virtual clock; with ServerSideTokenCheck, not
  signed out) and returns the user's identity id (``<region>:<uuid>`` from the
  ``cognito-identity/ids`` stream), the same one every time for that user. Without Logins it
  makes a new guest identity when AllowUnauthenticatedIdentities is on, and otherwise refuses:
  ``NotAuthorizedException`` "Unauthenticated access is not supported for this identity pool.".
- **GetCredentialsForIdentity** picks the role (the pool's ``authenticated`` /
  ``unauthenticated`` role, or a role mapping: Token (``cognito:preferred_role``, or
  CustomRoleArn among ``cognito:roles``) or Rules on the token's claims), checks that the role
  exists in IAM and that its trust policy lets ``cognito-identity.amazonaws.com`` call
  ``sts:AssumeRoleWithWebIdentity`` with these context keys, and returns temporary credentials
  (``ASIA...``, ``SecretKey``, ``SessionToken``, ``Expiration`` one hour later on the virtual
  clock) of the session ``assumed-role/<role>/CognitoIdentityCredentials``. Their policies see
  ``cognito-identity.amazonaws.com:sub`` (the identity id), ``:aud`` (the identity pool id) and
  ``:amr`` (``["authenticated", "<provider>", "<provider>:CognitoSignIn:<sub>"]`` or
  ``["unauthenticated"]``), also as policy variables. A missing or untrusting role is
  ``InvalidIdentityPoolConfigurationException``.

Not modelled: the basic (classic) flow (GetOpenIdToken), developer-authenticated identities,
social and SAML providers, identity merging.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.clock import us_to_datetime
from ..kernel.service import Service, operation
from .errors import (IDENTITY_ERRORS, IdentityInvalidParameterException, IdentityNotAuthorizedException,
                     IdentityResourceNotFoundException, InvalidIdentityPoolConfigurationException)
from .tokens import TokenError, check_token

if TYPE_CHECKING:
    from ..cloud import Cloud

COGNITO_IDENTITY = "cognito-identity.amazonaws.com"
SESSION_NAME = "CognitoIdentityCredentials"
CREDENTIALS_S = 3600
_POOL_NAME = re.compile(r"[\w\s+=,.@-]+")
_PROVIDER = re.compile(r"cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+_[0-9a-zA-Z]+)")
_ROLE = re.compile(r"arn:aws[a-zA-Z-]*:iam::\d{12}:role/[\w+=,.@/-]+")


@attrs.define(eq=False)
class IdentityPool:
    pool_id: str
    name: str
    allow_unauthenticated: bool
    allow_classic: bool
    providers: list[dict[str, Any]]
    request: dict[str, Any]
    roles: dict[str, str] = attrs.Factory(dict)
    role_mappings: dict[str, Any] = attrs.Factory(dict)

    def shape(self) -> dict[str, Any]:
        out = {"IdentityPoolId": self.pool_id, "IdentityPoolName": self.name,
               "AllowUnauthenticatedIdentities": self.allow_unauthenticated,
               "AllowClassicFlow": self.allow_classic,
               "CognitoIdentityProviders": [dict(p) for p in self.providers]}
        for k in ("SupportedLoginProviders", "DeveloperProviderName", "OpenIdConnectProviderARNs",
                  "SamlProviderARNs", "IdentityPoolTags"):
            if k in self.request:
                out[k] = self.request[k]
        return out


@attrs.define(eq=False)
class Identity:
    identity_id: str
    pool_id: str
    create_us: int
    modified_us: int
    #: provider name -> subject (the user pool user's sub)
    logins: dict[str, str] = attrs.Factory(dict)


class CognitoIdentity(Service):
    """Amazon Cognito identity pools."""

    service_name = "cognito-identity"
    errors = IDENTITY_ERRORS

    def __init__(self, cloud: "Cloud") -> None:
        super().__init__(cloud)
        self.region = cloud.region
        self.pools: dict[str, IdentityPool] = {}
        self.identities: dict[str, Identity] = {}
        #: (identity pool, provider, subject) -> identity id
        self._by_login: dict[tuple[str, str, str], str] = {}

    # -- pools ----------------------------------------------------------------------------
    def _pool(self, pool_id: Any) -> IdentityPool:
        pool = self.pools.get(pool_id) if isinstance(pool_id, str) else None
        if pool is None:
            raise IdentityResourceNotFoundException(f"IdentityPool '{pool_id}' not found.")
        return pool

    def _providers(self, items: Any) -> list[dict[str, Any]]:
        out = []
        for p in items or []:
            if not isinstance(p, dict) or not isinstance(p.get("ProviderName"), str) or not _PROVIDER.fullmatch(p["ProviderName"]):
                raise IdentityInvalidParameterException(
                    f"1 validation error detected: Value '{p.get('ProviderName') if isinstance(p, dict) else p}' at "
                    "'cognitoIdentityProviders.1.member.providerName' failed to satisfy constraint: Member must satisfy "
                    "regular expression pattern: [\\w._:/-]+")
            entry = {"ProviderName": p["ProviderName"], "ClientId": p.get("ClientId"),
                     "ServerSideTokenCheck": bool(p.get("ServerSideTokenCheck", False))}
            out.append(entry)
        return out

    @operation("CreateIdentityPool")
    def create_identity_pool(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("IdentityPoolName")
        if not isinstance(name, str) or not 1 <= len(name) <= 128 or not _POOL_NAME.fullmatch(name):
            raise IdentityInvalidParameterException(
                f"1 validation error detected: Value '{name}' at 'identityPoolName' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")
        allow = request.get("AllowUnauthenticatedIdentities")
        if not isinstance(allow, bool):
            raise IdentityInvalidParameterException(
                "1 validation error detected: Value null at 'allowUnauthenticatedIdentities' failed to satisfy "
                "constraint: Member must not be null")
        providers = self._providers(request.get("CognitoIdentityProviders"))
        pool_id = f"{self.region}:{self.cloud.streams.uuid('cognito-identity/pools')}"
        pool = IdentityPool(pool_id, name, allow, bool(request.get("AllowClassicFlow", False)), providers, dict(request))
        self.pools[pool_id] = pool
        return pool.shape()

    @operation("DescribeIdentityPool")
    def describe_identity_pool(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._pool(request.get("IdentityPoolId")).shape()

    @operation("UpdateIdentityPool")
    def update_identity_pool(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("IdentityPoolId"))
        providers = self._providers(request.get("CognitoIdentityProviders"))
        allow = request.get("AllowUnauthenticatedIdentities")
        if not isinstance(allow, bool):
            raise IdentityInvalidParameterException(
                "1 validation error detected: Value null at 'allowUnauthenticatedIdentities' failed to satisfy "
                "constraint: Member must not be null")
        pool.name = request.get("IdentityPoolName", pool.name)
        pool.allow_unauthenticated = allow
        pool.allow_classic = bool(request.get("AllowClassicFlow", pool.allow_classic))
        pool.providers = providers
        pool.request = dict(request)
        return pool.shape()

    @operation("ListIdentityPools")
    def list_identity_pools(self, request: dict[str, Any]) -> dict[str, Any]:
        max_results = request.get("MaxResults")
        if not isinstance(max_results, int) or not 1 <= max_results <= 60:
            raise IdentityInvalidParameterException(
                f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy constraint: "
                "Member must have value less than or equal to 60")
        ids = sorted(self.pools)
        start = int(request["NextToken"]) if request.get("NextToken") else 0
        out: dict[str, Any] = {"IdentityPools": [
            {"IdentityPoolId": i, "IdentityPoolName": self.pools[i].name} for i in ids[start:start + max_results]]}
        if start + max_results < len(ids):
            out["NextToken"] = str(start + max_results)
        return out

    @operation("DeleteIdentityPool")
    def delete_identity_pool(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("IdentityPoolId"))
        del self.pools[pool.pool_id]
        for iid in [i for i, ident in self.identities.items() if ident.pool_id == pool.pool_id]:
            del self.identities[iid]
        self._by_login = {k: v for k, v in self._by_login.items() if k[0] != pool.pool_id}
        return {}

    @operation("SetIdentityPoolRoles")
    def set_identity_pool_roles(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("IdentityPoolId"))
        roles = request.get("Roles")
        if not isinstance(roles, dict):
            raise IdentityInvalidParameterException(
                "1 validation error detected: Value null at 'roles' failed to satisfy constraint: Member must not be null")
        for k, v in roles.items():
            if k not in ("authenticated", "unauthenticated"):
                raise IdentityInvalidParameterException(f"Invalid role type {k}. Valid values are authenticated and unauthenticated.")
            if not isinstance(v, str) or not _ROLE.fullmatch(v):
                raise IdentityInvalidParameterException(f"Invalid role ARN {v}.")
        mappings = request.get("RoleMappings") or {}
        for provider, m in mappings.items():
            if not isinstance(m, dict) or m.get("Type") not in ("Token", "Rules"):
                raise IdentityInvalidParameterException("RoleMapping Type must be Token or Rules.")
            if m.get("AmbiguousRoleResolution") not in ("AuthenticatedRole", "Deny"):
                raise IdentityInvalidParameterException(
                    "AmbiguousRoleResolution must be specified when the role mapping type is Token or Rules.")
            if m["Type"] == "Rules":
                rules = (m.get("RulesConfiguration") or {}).get("Rules")
                if not rules:
                    raise IdentityInvalidParameterException("RulesConfiguration is required for Rules role mappings.")
                for r in rules:
                    if r.get("MatchType") not in ("Equals", "Contains", "StartsWith", "NotEqual"):
                        raise IdentityInvalidParameterException(f"Invalid MatchType {r.get('MatchType')}.")
                    if not isinstance(r.get("RoleARN"), str) or not _ROLE.fullmatch(r["RoleARN"]):
                        raise IdentityInvalidParameterException(f"Invalid role ARN {r.get('RoleARN')}.")
        pool.roles = dict(roles)
        pool.role_mappings = dict(mappings)
        return {}

    @operation("GetIdentityPoolRoles")
    def get_identity_pool_roles(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("IdentityPoolId"))
        out: dict[str, Any] = {"IdentityPoolId": pool.pool_id, "Roles": dict(pool.roles)}
        if pool.role_mappings:
            out["RoleMappings"] = dict(pool.role_mappings)
        return out

    # -- identities -----------------------------------------------------------------------
    def _verify_logins(self, pool: IdentityPool, logins: Any) -> dict[str, dict[str, Any]]:
        """provider -> claims of each login token (NotAuthorizedException on any bad token)."""
        if not isinstance(logins, dict):
            raise IdentityInvalidParameterException("Logins must be a map of provider names to tokens.")
        out: dict[str, dict[str, Any]] = {}
        idp: Any = self.cloud.service("cognito-idp")
        for provider in sorted(logins):
            token = logins[provider]
            conf = next((p for p in pool.providers if p["ProviderName"] == provider), None)
            if conf is None:
                raise IdentityNotAuthorizedException("Token is not from a supported provider of this identity pool.")
            from .crypto import decode_jwt

            parts = decode_jwt(token)
            if parts is None:
                raise IdentityNotAuthorizedException("Invalid login token. Not a valid OpenId Connect identity token.")
            claims = parts[1]
            if "aud" not in claims:
                raise IdentityNotAuthorizedException("Invalid login token. Missing a required claim: aud")
            if claims.get("iss") != f"https://{provider}":
                raise IdentityNotAuthorizedException("Invalid login token. Issuer doesn't match providerName")
            user_pool = idp.pools.get(provider.rsplit("/", 1)[-1])
            if user_pool is None:
                raise IdentityNotAuthorizedException("Invalid login token. Couldn't verify signed token.")
            try:
                claims = check_token(self.cloud, token, user_pool, token_use="id")
            except TokenError as exc:
                if "expired" in exc.description:
                    raise IdentityNotAuthorizedException(
                        f"Invalid login token. Token expired: {claims.get('exp')} >= {self.cloud.now_us // 1_000_000}") from None
                raise IdentityNotAuthorizedException("Invalid login token. Couldn't verify signed token.") from None
            if conf.get("ClientId") and claims.get("aud") != conf["ClientId"]:
                raise IdentityNotAuthorizedException("Invalid login token. Incorrect token audience.")
            if conf.get("ServerSideTokenCheck") and claims.get("origin_jti") in user_pool.revoked:
                raise IdentityNotAuthorizedException("Invalid login token. Token is revoked.")
            out[provider] = claims
        return out

    def _new_identity(self, pool: IdentityPool) -> Identity:
        iid = f"{self.region}:{self.cloud.streams.uuid('cognito-identity/ids')}"
        now = self.cloud.now_us
        ident = self.identities[iid] = Identity(iid, pool.pool_id, now, now)
        return ident

    @operation("GetId")
    def get_id(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("IdentityPoolId"))
        account = request.get("AccountId")
        if account is not None and account != self.cloud.account_id:
            raise IdentityNotAuthorizedException("Invalid AccountId.")
        logins = request.get("Logins")
        if not logins:
            if not pool.allow_unauthenticated:
                raise IdentityNotAuthorizedException("Unauthenticated access is not supported for this identity pool.")
            return {"IdentityId": self._new_identity(pool).identity_id}
        verified = self._verify_logins(pool, logins)
        for provider, claims in verified.items():
            iid = self._by_login.get((pool.pool_id, provider, claims["sub"]))
            if iid is not None:
                return {"IdentityId": iid}
        ident = self._new_identity(pool)
        for provider, claims in verified.items():
            ident.logins[provider] = claims["sub"]
            self._by_login[(pool.pool_id, provider, claims["sub"])] = ident.identity_id
        return {"IdentityId": ident.identity_id}

    def _identity(self, identity_id: Any) -> Identity:
        ident = self.identities.get(identity_id) if isinstance(identity_id, str) else None
        if ident is None:
            raise IdentityResourceNotFoundException(f"Identity '{identity_id}' not found.")
        return ident

    def _role_for(self, pool: IdentityPool, verified: dict[str, dict[str, Any]], custom: Any) -> str:
        if not verified:
            role = pool.roles.get("unauthenticated")
            if role is None:
                raise InvalidIdentityPoolConfigurationException()
            return role
        for provider, claims in verified.items():
            mapping = pool.role_mappings.get(provider)
            if mapping is None:
                continue
            chosen: str | None = None
            if mapping["Type"] == "Token":
                roles = claims.get("cognito:roles") or []
                if isinstance(custom, str) and custom in roles:
                    chosen = custom
                elif isinstance(claims.get("cognito:preferred_role"), str):
                    chosen = claims["cognito:preferred_role"]
            else:
                for rule in (mapping.get("RulesConfiguration") or {}).get("Rules") or []:
                    value = claims.get(rule.get("Claim"))
                    text = " ".join(value) if isinstance(value, list) else str(value) if value is not None else None
                    mt, want = rule.get("MatchType"), str(rule.get("Value", ""))
                    ok = text is not None and ((mt == "Equals" and text == want) or (mt == "Contains" and want in text)
                                               or (mt == "StartsWith" and text.startswith(want))
                                               or (mt == "NotEqual" and text != want))
                    if ok:
                        chosen = rule["RoleARN"]
                        break
            if chosen is not None:
                return chosen
            if mapping.get("AmbiguousRoleResolution") == "Deny":
                raise IdentityNotAuthorizedException("Unable to determine the role for this identity: the role mapping denies it.")
        if isinstance(custom, str) and custom == pool.roles.get("authenticated"):
            return custom
        role = pool.roles.get("authenticated")
        if role is None:
            raise InvalidIdentityPoolConfigurationException()
        return role

    @operation("GetCredentialsForIdentity")
    def get_credentials_for_identity(self, request: dict[str, Any]) -> dict[str, Any]:
        ident = self._identity(request.get("IdentityId"))
        pool = self._pool(ident.pool_id)
        logins = request.get("Logins") or {}
        verified = self._verify_logins(pool, logins) if logins else {}
        if ident.logins:
            if not verified or not any(ident.logins.get(p) == c["sub"] for p, c in verified.items()):
                raise IdentityNotAuthorizedException(f"Access to Identity '{ident.identity_id}' is forbidden.")
        elif verified:
            for provider, claims in verified.items():
                other = self._by_login.get((pool.pool_id, provider, claims["sub"]))
                if other is not None and other != ident.identity_id:
                    raise IdentityNotAuthorizedException(f"Access to Identity '{ident.identity_id}' is forbidden.")
        elif not pool.allow_unauthenticated:
            raise IdentityNotAuthorizedException("Unauthenticated access is not supported for this identity pool.")
        role_arn = self._role_for(pool, verified, request.get("CustomRoleArn"))
        if verified:
            provider = sorted(verified)[0]
            amr = ["authenticated", provider, f"{provider}:CognitoSignIn:{verified[provider]['sub']}"]
        else:
            amr = ["unauthenticated"]
        ctx = {f"{COGNITO_IDENTITY}:sub": ident.identity_id, f"{COGNITO_IDENTITY}:aud": pool.pool_id,
               f"{COGNITO_IDENTITY}:amr": amr, "aws:federatedprovider": COGNITO_IDENTITY}
        from ..iam.service import store_of
        from ..iam.trust import evaluate_trust

        store = store_of(self.cloud)
        role = store.role_by_arn(role_arn)
        if role is None:
            raise InvalidIdentityPoolConfigurationException()
        trust_ctx = {k.lower(): v for k, v in ctx.items()}
        allowed, _ = evaluate_trust(role.trust, {"Federated": {COGNITO_IDENTITY}}, "sts:AssumeRoleWithWebIdentity",
                                    role_arn, trust_ctx)
        if not allowed:
            raise InvalidIdentityPoolConfigurationException()
        # Link the logins to a guest identity that presents them (AWS links on first use).
        for provider, claims in verified.items():
            if provider not in ident.logins:
                ident.logins[provider] = claims["sub"]
                self._by_login[(pool.pool_id, provider, claims["sub"])] = ident.identity_id
        ident.modified_us = self.cloud.now_us
        principal = store.role_session(role_arn, SESSION_NAME, extra_context=ctx)
        cred = store.issue_session_credentials(principal, CREDENTIALS_S)
        return {"IdentityId": ident.identity_id, "Credentials": cred.as_dict()}

    @operation("DescribeIdentity")
    def describe_identity(self, request: dict[str, Any]) -> dict[str, Any]:
        ident = self._identity(request.get("IdentityId"))
        return {"IdentityId": ident.identity_id, "Logins": sorted(ident.logins),
                "CreationDate": us_to_datetime(ident.create_us), "LastModifiedDate": us_to_datetime(ident.modified_us)}

    @operation("ListIdentities")
    def list_identities(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("IdentityPoolId"))
        max_results = request.get("MaxResults", 60)
        items = [i for i in self.identities.values() if i.pool_id == pool.pool_id]
        start = int(request["NextToken"]) if request.get("NextToken") else 0
        out: dict[str, Any] = {"IdentityPoolId": pool.pool_id, "Identities": [
            {"IdentityId": i.identity_id, "Logins": sorted(i.logins), "CreationDate": us_to_datetime(i.create_us),
             "LastModifiedDate": us_to_datetime(i.modified_us)} for i in items[start:start + max_results]]}
        if start + max_results < len(items):
            out["NextToken"] = str(start + max_results)
        return out
