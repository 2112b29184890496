"""User pools and app clients: CreateUserPool, DescribeUserPool, UpdateUserPool, ListUserPools,
DeleteUserPool, CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
ListUserPoolClients, DeleteUserPoolClient.

https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html,
API_CreateUserPoolClient.html. Modelled: the password policy, ``MfaConfiguration`` OFF and
OPTIONAL (ON is refused: MFA challenges are not simulated), schema attributes (standard ones may
be required; custom ones become ``custom:<name>``), auto-verified attributes, username
attributes or aliases, case sensitivity, Lambda triggers; app clients' auth flows, secrets,
token validity (with units), PreventUserExistenceErrors, token revocation, AuthSessionValidity.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..kernel.errors import AWSError
from ..kernel.service import operation
from .errors import InvalidParameterException, ResourceNotFoundException
from .pools import DEFAULT_PASSWORD_POLICY, STANDARD_ATTRIBUTES, UNIT_SECONDS, AppClient, UserPool

if TYPE_CHECKING:
    from ..cloud import Cloud

_POOL_NAME = re.compile(r"[\w\s+=,.@-]+")
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
FLOWS = ("ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
         "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
         "ALLOW_USER_AUTH")
DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
TRIGGERS = ("PreSignUp", "CustomMessage", "PostConfirmation", "PreAuthentication", "PostAuthentication",
            "DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse", "PreTokenGeneration",
            "UserMigration", "PreTokenGenerationConfig", "CustomSMSSender", "CustomEmailSender", "KMSKeyID")


def _validation(value: Any, member: str, constraint: str) -> AWSError:
    return InvalidParameterException(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}")


def page(items: list[Any], request: dict[str, Any], limit_key: str, token_key: str, *,
         low: int = 0) -> tuple[list[Any], str | None]:
    """One page of ``items`` (already in the service's order) for a Cognito list operation:
    the page size is ``request[limit_key]`` (``low``..60; 60 when absent, and when 0 for the
    operations whose minimum is 0), the position ``request[token_key]`` (the token a previous
    page returned). Returns (page, next token or None when this is the last page)."""
    limit = request.get(limit_key)
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or not low <= limit <= 60):
        bound = (f"Member must have value greater than or equal to {low}" if isinstance(limit, int) and limit < low
                 else "Member must have value less than or equal to 60")
        raise _validation(limit, limit_key[0].lower() + limit_key[1:], bound)
    size = limit or 60
    token = request.get(token_key)
    start = 0
    if token is not None:
        if not isinstance(token, str) or not token.isdigit() or int(token) > len(items):
            raise InvalidParameterException("Invalid pagination token.")  # (an opaque token in AWS)
        start = int(token)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def _schema_entry(name: str, dtype: str, required: bool = False, mutable: bool = True,
                  developer_only: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {"Name": name, "AttributeDataType": dtype, "DeveloperOnlyAttribute": developer_only,
                             "Mutable": mutable, "Required": required}
    if dtype == "String":
        entry["StringAttributeConstraints"] = {"MinLength": "1" if name == "sub" else "0",
                                               "MaxLength": "2048"}
    elif dtype == "Number":
        entry["NumberAttributeConstraints"] = {"MinValue": "0"}
    return entry


class PoolOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _client_index: dict[str, str]
        cloud: Cloud
        pools: dict[str, UserPool]
        region: str

    def _pool(self, pool_id: Any) -> UserPool:
        pool = self.pools.get(pool_id) if isinstance(pool_id, str) else None
        if pool is None:
            raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
        return pool

    def _client(self, client_id: Any, pool: UserPool | None = None) -> tuple[UserPool, AppClient]:
        if isinstance(client_id, str):
            pid = self._client_index.get(client_id)
            if pid is not None and (pool is None or pool.pool_id == pid):
                p = self.pools[pid]
                return p, p.clients[client_id]
        if pool is not None:
            raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")

    # -- pools --------------------------------------------------------------------------
    def _password_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        policy = dict(DEFAULT_PASSWORD_POLICY)
        given = (request.get("Policies") or {}).get("PasswordPolicy")
        if given:
            if not isinstance(given, dict):
                raise InvalidParameterException("PasswordPolicy is not valid.")
            policy.update(given)
        ml = policy.get("MinimumLength")
        if not isinstance(ml, int) or not 6 <= ml <= 99:
            raise _validation(ml, "policies.passwordPolicy.minimumLength",
                              "Member must have value greater than or equal to 6")
        tv = policy.get("TemporaryPasswordValidityDays")
        if not isinstance(tv, int) or not 0 <= tv <= 365:
            raise _validation(tv, "policies.passwordPolicy.temporaryPasswordValidityDays",
                              "Member must have value less than or equal to 365")
        return policy

    def _schema(self, request: dict[str, Any]) -> dict[str, dict[str, Any]]:
        schema = {name: _schema_entry(name, dtype, mutable=name != "sub", required=name == "sub")
                  for name, dtype in STANDARD_ATTRIBUTES.items()}
        for item in request.get("Schema") or []:
            if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
                raise InvalidParameterException("Schema attribute name is required.")
            name = item["Name"]
            dtype = item.get("AttributeDataType", "String")
            if dtype not in ("String", "Number", "DateTime", "Boolean"):
                raise _validation(dtype, "schema.member.attributeDataType",
                                  "Member must satisfy enum value set: [Number, String, Boolean, DateTime]")
            if name in STANDARD_ATTRIBUTES:
                entry = schema[name]
                entry["Required"] = bool(item.get("Required", False))
                entry["Mutable"] = bool(item.get("Mutable", True))
                continue
            if item.get("Required"):
                raise InvalidParameterException("Required custom attributes are not supported currently.")
            key = name if name.startswith("custom:") else f"custom:{name}"
            if len(schema) >= 50 + len(STANDARD_ATTRIBUTES):
                raise InvalidParameterException("Too many custom attributes.")
            schema[key] = _schema_entry(key, dtype, mutable=bool(item.get("Mutable", True)),
                                        developer_only=bool(item.get("DeveloperOnlyAttribute", False)))
        return schema

    def _lambda_config(self, cfg: Any) -> dict[str, Any]:
        if cfg is None:
            return {}
        if not isinstance(cfg, dict):
            raise InvalidParameterException("LambdaConfig is not valid.")
        for k, v in cfg.items():
            if k not in TRIGGERS:
                raise InvalidParameterException(f"Unknown Lambda trigger {k}.")
            if k == "PreTokenGenerationConfig":
                if not isinstance(v, dict) or v.get("LambdaVersion") not in ("V1_0", "V2_0", "V3_0"):
                    raise InvalidParameterException("PreTokenGenerationConfig is not valid.")
            elif isinstance(v, str) and not v.startswith("arn:"):
                raise _validation(v, f"lambdaConfig.{k[0].lower()}{k[1:]}",
                                  "Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?")
        return dict(cfg)

    @operation("CreateUserPool")
    def create_user_pool(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("PoolName")
        if not isinstance(name, str) or not 1 <= len(name) <= 128 or not _POOL_NAME.fullmatch(name):
            raise _validation(name, "poolName", "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")
        policy = self._password_policy(request)
        mfa = request.get("MfaConfiguration", "OFF")
        if mfa not in ("OFF", "ON", "OPTIONAL"):
            raise _validation(mfa, "mfaConfiguration", "Member must satisfy enum value set: [OFF, ON, OPTIONAL]")
        if mfa == "ON":
            raise InvalidParameterException("MfaConfiguration ON is not supported by serverless_sim "
                                            "(MFA challenges are not simulated); use OFF or OPTIONAL.")
        auto = request.get("AutoVerifiedAttributes") or []
        for a in auto:
            if a not in ("email", "phone_number"):
                raise _validation(a, "autoVerifiedAttributes", "Member must satisfy enum value set: [phone_number, email]")
        uattrs = request.get("UsernameAttributes") or []
        aliases = request.get("AliasAttributes") or []
        if uattrs and aliases:
            raise InvalidParameterException("Only one of the parameters: UsernameAttributes and AliasAttributes can be set.")
        for a in uattrs:
            if a not in ("email", "phone_number"):
                raise _validation(a, "usernameAttributes", "Member must satisfy enum value set: [phone_number, email]")
        for a in aliases:
            if a not in ("email", "phone_number", "preferred_username"):
                raise _validation(a, "aliasAttributes",
                                  "Member must satisfy enum value set: [phone_number, email, preferred_username]")
        schema = self._schema(request)
        lambda_config = self._lambda_config(request.get("LambdaConfig"))
        case = (request.get("UsernameConfiguration") or {}).get("CaseSensitive", True)
        rng = self.cloud.rng("cognito-idp/ids")
        while True:
            pool_id = f"{self.region}_" + "".join(rng.choice(_ALNUM) for _ in range(9))
            if pool_id not in self.pools:
                break
        now = self.cloud.now_us
        pool = UserPool(pool_id, name, f"arn:aws:cognito-idp:{self.region}:{self.cloud.account_id}:userpool/{pool_id}",
                        now, now, policy, mfa, list(auto), list(uattrs), list(aliases), bool(case), schema,
                        lambda_config, dict(request))
        self.pools[pool_id] = pool
        return {"UserPool": pool.describe()}

    @operation("DescribeUserPool")
    def describe_user_pool(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"UserPool": self._pool(request.get("UserPoolId")).describe()}

    @operation("UpdateUserPool")
    def update_user_pool(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        policy = self._password_policy(request) if "Policies" in request else pool.password_policy
        lambda_config = self._lambda_config(request.get("LambdaConfig")) if "LambdaConfig" in request else pool.lambda_config
        mfa = request.get("MfaConfiguration", pool.mfa)
        if mfa not in ("OFF", "OPTIONAL"):
            raise InvalidParameterException("MfaConfiguration ON is not supported by serverless_sim "
                                            "(MFA challenges are not simulated); use OFF or OPTIONAL.")
        pool.password_policy = policy
        pool.lambda_config = lambda_config
        pool.mfa = mfa
        if "AutoVerifiedAttributes" in request:
            pool.auto_verified = list(request["AutoVerifiedAttributes"] or [])
        pool.update_us = self.cloud.now_us
        return {}

    @operation("ListUserPools")
    def list_user_pools(self, request: dict[str, Any]) -> dict[str, Any]:
        max_results = request.get("MaxResults")
        if not isinstance(max_results, int) or not 1 <= max_results <= 60:
            raise _validation(max_results, "maxResults", "Member must have value less than or equal to 60")
        ids = sorted(self.pools)
        start = int(request["NextToken"]) if request.get("NextToken") else 0
        chunk = ids[start:start + max_results]
        from ..kernel.clock import us_to_datetime

        out: dict[str, Any] = {"UserPools": [
            {"Id": p.pool_id, "Name": p.name, "LambdaConfig": dict(p.lambda_config),
             "LastModifiedDate": us_to_datetime(p.update_us), "CreationDate": us_to_datetime(p.create_us)}
            for p in (self.pools[i] for i in chunk)]}
        if start + max_results < len(ids):
            out["NextToken"] = str(start + max_results)
        return out

    @operation("DeleteUserPool")
    def delete_user_pool(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        if pool.request.get("DeletionProtection") == "ACTIVE":
            raise InvalidParameterException("The user pool cannot be deleted because deletion protection is activated.")
        for cid in pool.clients:
            self._client_index.pop(cid, None)
        del self.pools[pool.pool_id]
        return {}

    # -- app clients --------------------------------------------------------------------
    def _validity(self, request: dict[str, Any]) -> tuple[int, int, int, dict[str, Any]]:
        units = request.get("TokenValidityUnits") or {}
        if not isinstance(units, dict):
            raise InvalidParameterException("TokenValidityUnits is not valid.")
        shown: dict[str, Any] = {}
        out = []
        for member, unit_key, default_unit, default_s, low_s, high_s, label in (
            ("IdTokenValidity", "IdToken", "hours", 3600, 300, 86_400, "ID token"),
            ("AccessTokenValidity", "AccessToken", "hours", 3600, 300, 86_400, "Access token"),
            ("RefreshTokenValidity", "RefreshToken", "days", 30 * 86_400, 3600, 3650 * 86_400, "Refresh token"),
        ):
            unit = units.get(unit_key, default_unit)
            if unit not in UNIT_SECONDS:
                raise _validation(unit, f"tokenValidityUnits.{unit_key[0].lower()}{unit_key[1:]}",
                                  "Member must satisfy enum value set: [seconds, minutes, hours, days]")
            value = request.get(member)
            if value is None:
                seconds = default_s
            else:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise _validation(value, member[0].lower() + member[1:], "Member must have value greater than or equal to 0")
                seconds = value * UNIT_SECONDS[unit] if value else default_s
                if not low_s <= seconds <= high_s:
                    raise InvalidParameterException(
                        f"{label} validity must be between {_span(low_s)} and {_span(high_s)}.")
                shown[member] = value
            out.append(seconds)
        shown["RefreshTokenValidity"] = shown.get("RefreshTokenValidity", 30)
        if units:
            shown["TokenValidityUnits"] = dict(units)
        return out[0], out[1], out[2], shown

    def _flows(self, request: dict[str, Any]) -> list[str]:
        flows = request.get("ExplicitAuthFlows")
        if flows is None:
            return list(DEFAULT_FLOWS)
        if not isinstance(flows, list):
            raise InvalidParameterException("ExplicitAuthFlows is not valid.")
        for f in flows:
            if f not in FLOWS:
                raise _validation(flows, "explicitAuthFlows",
                                  "Member must satisfy constraint: [Member must satisfy enum value set: "
                                  "[ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, "
                                  "ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, "
                                  "ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH]]")
        if any(f.startswith("ALLOW_") for f in flows) and any(not f.startswith("ALLOW_") for f in flows):
            raise InvalidParameterException("ExplicitAuthFlows cannot mix legacy values with ALLOW_ values.")
        if flows and not any(f.startswith("ALLOW_") for f in flows):
            flows = flows + ["ALLOW_REFRESH_TOKEN_AUTH"]  # legacy flows always allow refresh
        return list(flows)

    def _client_settings(self, pool: UserPool, request: dict[str, Any]) -> dict[str, Any]:
        id_s, access_s, refresh_s, shown = self._validity(request)
        pue = request.get("PreventUserExistenceErrors", "LEGACY")
        if pue not in ("LEGACY", "ENABLED"):
            raise _validation(pue, "preventUserExistenceErrors", "Member must satisfy enum value set: [LEGACY, ENABLED]")
        asv = request.get("AuthSessionValidity", 3)
        if not isinstance(asv, int) or not 3 <= asv <= 15:
            raise _validation(asv, "authSessionValidity", "Member must have value less than or equal to 15")
        for key in ("ReadAttributes", "WriteAttributes"):
            for a in request.get(key) or []:
                if a not in pool.schema:
                    raise InvalidParameterException(f"Invalid {key[:-10].lower()} attributes specified while creating a client")
        return {"flows": self._flows(request), "id_validity_s": id_s, "access_validity_s": access_s,
                "refresh_validity_s": refresh_s, "validity_request": shown, "prevent_user_existence_errors": pue,
                "auth_session_validity_min": asv,
                "enable_token_revocation": bool(request.get("EnableTokenRevocation", True)),
                "read_attributes": request.get("ReadAttributes"), "write_attributes": request.get("WriteAttributes")}

    @operation("CreateUserPoolClient")
    def create_user_pool_client(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        name = request.get("ClientName")
        if not isinstance(name, str) or not 1 <= len(name) <= 128:
            raise _validation(name, "clientName", "Member must have length greater than or equal to 1")
        settings = self._client_settings(pool, request)
        rng = self.cloud.rng("cognito-idp/ids")
        while True:
            cid = "".join(rng.choice(_LOWER_ALNUM) for _ in range(26))
            if cid not in self._client_index:
                break
        secret = "".join(rng.choice(_LOWER_ALNUM) for _ in range(51)) if request.get("GenerateSecret") else None
        now = self.cloud.now_us
        client = AppClient(cid, name, pool.pool_id, secret, create_us=now, update_us=now, **settings)
        pool.clients[cid] = client
        self._client_index[cid] = pool.pool_id
        return {"UserPoolClient": client.shape()}

    @operation("DescribeUserPoolClient")
    def describe_user_pool_client(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        _, client = self._client(request.get("ClientId"), pool)
        return {"UserPoolClient": client.shape()}

    @operation("UpdateUserPoolClient")
    def update_user_pool_client(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        _, client = self._client(request.get("ClientId"), pool)
        settings = self._client_settings(pool, request)
        for k, v in settings.items():
            setattr(client, k, v)
        if isinstance(request.get("ClientName"), str):
            client.name = request["ClientName"]
        client.update_us = self.cloud.now_us
        return {"UserPoolClient": client.shape()}

    @operation("ListUserPoolClients")
    def list_user_pool_clients(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        chunk, token = page(list(pool.clients.values()), request, "MaxResults", "NextToken", low=1)
        out: dict[str, Any] = {"UserPoolClients": [
            {"ClientId": c.client_id, "UserPoolId": pool.pool_id, "ClientName": c.name} for c in chunk]}
        if token is not None:
            out["NextToken"] = token
        return out

    @operation("DeleteUserPoolClient")
    def delete_user_pool_client(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        _, client = self._client(request.get("ClientId"), pool)
        del pool.clients[client.client_id]
        self._client_index.pop(client.client_id, None)
        return {}


def _span(seconds: int) -> str:
    if seconds % 86_400 == 0:
        n = seconds // 86_400
        return f"{n} day" + ("s" if n != 1 else "")
    if seconds % 3600 == 0:
        n = seconds // 3600
        return f"{n} hour" + ("s" if n != 1 else "")
    n = seconds // 60
    return f"{n} minute" + ("s" if n != 1 else "")
