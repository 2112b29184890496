"""User pools, app clients, users and groups: the engine's state, and the rules that are data.

- Password policy (https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html):
  defaults MinimumLength 8, RequireUppercase/Lowercase/Numbers/Symbols true,
  TemporaryPasswordValidityDays 7; symbols are ``^ $ * . [ ] { } ( ) ? - " ! @ # % & / \\ , > < ' : ; | _ ~ ` + =``
  and an inner space. Messages: "Password did not conform with policy: Password not long enough"
  (self-service) / "Password did not conform with password policy: ..." (admin APIs).
- Standard attributes (OpenID Connect's) and ``custom:`` ones from the pool's Schema; ``sub`` is
  a UUID from the pool's random stream, immutable.
- User statuses: UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED.
- Token validity per app client: ID and access tokens 5 minutes-1 day (default 60 minutes),
  refresh tokens 60 minutes-10 years (default 30 days); units per token type.
"""

from __future__ import annotations

import hashlib
from typing import Any

import attrs

from ..kernel.clock import us_to_datetime

SYMBOLS = frozenset("^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+= ")

DEFAULT_PASSWORD_POLICY: dict[str, Any] = {
    "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
    "RequireSymbols": True, "TemporaryPasswordValidityDays": 7,
}

STANDARD_ATTRIBUTES: dict[str, str] = {
    "sub": "String", "name": "String", "given_name": "String", "family_name": "String",
    "middle_name": "String", "nickname": "String", "preferred_username": "String", "profile": "String",
    "picture": "String", "website": "String", "email": "String", "email_verified": "Boolean",
    "gender": "String", "birthdate": "String", "zoneinfo": "String", "locale": "String",
    "phone_number": "String", "phone_number_verified": "Boolean", "address": "String",
    "updated_at": "Number",
}

UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86_400}


def password_problem(password: str, policy: dict[str, Any]) -> str | None:
    """The first rule of the policy the password breaks (AWS's phrase), or None."""
    if len(password) < int(policy.get("MinimumLength", 8)):
        return "Password not long enough"
    if policy.get("RequireUppercase") and not any(c.isupper() for c in password):
        return "Password must have uppercase characters"
    if policy.get("RequireLowercase") and not any(c.islower() for c in password):
        return "Password must have lowercase characters"
    if policy.get("RequireNumbers") and not any(c.isdigit() for c in password):
        return "Password must have numeric characters"
    if policy.get("RequireSymbols") and not any(c in SYMBOLS for c in password.strip()):
        return "Password must have symbol characters"
    return None


def hash_password(salt: str, password: str) -> str:
    return hashlib.sha256(f"{salt}\x00{password}".encode()).hexdigest()


@attrs.define(eq=False)
class AppClient:
    client_id: str
    name: str
    pool_id: str
    secret: str | None
    flows: list[str]
    id_validity_s: int
    access_validity_s: int
    refresh_validity_s: int
    validity_request: dict[str, Any]
    prevent_user_existence_errors: str
    auth_session_validity_min: int
    enable_token_revocation: bool
    create_us: int
    update_us: int
    read_attributes: list[str] | None = None
    write_attributes: list[str] | None = None

    def allows(self, flow: str) -> bool:
        legacy = {"USER_PASSWORD_AUTH": "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH": "ADMIN_NO_SRP_AUTH"}
        return f"ALLOW_{flow}" in self.flows or legacy.get(flow, "-") in self.flows

    def shape(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "UserPoolId": self.pool_id, "ClientName": self.name, "ClientId": self.client_id,
            "LastModifiedDate": us_to_datetime(self.update_us), "CreationDate": us_to_datetime(self.create_us),
            "ExplicitAuthFlows": list(self.flows),
            "PreventUserExistenceErrors": self.prevent_user_existence_errors,
            "EnableTokenRevocation": self.enable_token_revocation,
            "AuthSessionValidity": self.auth_session_validity_min,
            "AllowedOAuthFlowsUserPoolClient": False,
        }
        out.update(self.validity_request)
        if self.secret is not None:
            out["ClientSecret"] = self.secret
        if self.read_attributes is not None:
            out["ReadAttributes"] = list(self.read_attributes)
        if self.write_attributes is not None:
            out["WriteAttributes"] = list(self.write_attributes)
        return out


@attrs.define(eq=False)
class PendingCode:
    code: str
    expires_us: int
    attribute: str | None


@attrs.define(eq=False)
class User:
    username: str
    sub: str
    attributes: dict[str, str]
    status: str
    password_hash: str | None
    create_us: int
    modified_us: int
    enabled: bool = True
    #: when an admin-set temporary password stops working (FORCE_CHANGE_PASSWORD)
    temp_expires_us: int | None = None
    groups: list[str] = attrs.Factory(list)
    code: PendingCode | None = None
    #: origin_jti of every live session (refresh token family), for GlobalSignOut
    sessions: list[str] = attrs.Factory(list)

    def attribute_list(self) -> list[dict[str, str]]:
        return [{"Name": k, "Value": v} for k, v in self.attributes.items()]

    def shape(self, attributes_key: str = "Attributes") -> dict[str, Any]:
        return {"Username": self.username, attributes_key: self.attribute_list(),
                "UserCreateDate": us_to_datetime(self.create_us),
                "UserLastModifiedDate": us_to_datetime(self.modified_us),
                "Enabled": self.enabled, "UserStatus": self.status}


@attrs.define(eq=False)
class Group:
    name: str
    pool_id: str
    description: str | None
    role_arn: str | None
    precedence: int | None
    create_us: int
    update_us: int
    members: list[str] = attrs.Factory(list)

    def shape(self) -> dict[str, Any]:
        out: dict[str, Any] = {"GroupName": self.name, "UserPoolId": self.pool_id,
                               "LastModifiedDate": us_to_datetime(self.update_us),
                               "CreationDate": us_to_datetime(self.create_us)}
        if self.description is not None:
            out["Description"] = self.description
        if self.role_arn is not None:
            out["RoleArn"] = self.role_arn
        if self.precedence is not None:
            out["Precedence"] = self.precedence
        return out


@attrs.define(eq=False)
class RefreshSession:
    """A refresh token's family: the sign-in it came from (``origin_jti``), its client and user."""

    token: str
    origin_jti: str
    client_id: str
    username: str
    auth_time_s: int
    expires_us: int
    event_id: str = ""
    revoked: bool = False


@attrs.define(eq=False)
class ChallengeSession:
    token: str
    challenge: str
    client_id: str
    username: str
    expires_us: int
    admin: bool = False


@attrs.define(eq=False)
class UserPool:
    pool_id: str
    name: str
    arn: str
    create_us: int
    update_us: int
    password_policy: dict[str, Any]
    mfa: str
    auto_verified: list[str]
    username_attributes: list[str]
    alias_attributes: list[str]
    case_sensitive: bool
    #: attribute name (``email``, ``custom:team``) -> schema entry as DescribeUserPool shows it
    schema: dict[str, dict[str, Any]]
    lambda_config: dict[str, Any]
    request: dict[str, Any]
    clients: dict[str, AppClient] = attrs.Factory(dict)
    #: username key (lower-cased when not case sensitive) -> user
    users: dict[str, User] = attrs.Factory(dict)
    groups: dict[str, Group] = attrs.Factory(dict)
    refresh: dict[str, RefreshSession] = attrs.Factory(dict)
    challenges: dict[str, ChallengeSession] = attrs.Factory(dict)
    #: origin_jti of revoked sessions: their access tokens are refused by Cognito's APIs
    revoked: set[str] = attrs.Factory(set)

    def key(self, username: str) -> str:
        return username if self.case_sensitive else username.lower()

    def find_user(self, name: str) -> User | None:
        """By username, or by an attribute used as username/alias (email, phone_number,
        preferred_username) when the pool signs users in with it."""
        user = self.users.get(self.key(name))
        if user is not None:
            return user
        for attr in self.username_attributes + self.alias_attributes:
            for u in self.users.values():
                value = u.attributes.get(attr)
                if value is not None and (value == name or (attr == "email" and value.lower() == name.lower())):
                    if attr in self.username_attributes or u.attributes.get(f"{attr}_verified") == "true" \
                            or attr == "preferred_username":
                        return u
        if self.username_attributes or self.alias_attributes:
            for u in self.users.values():
                if u.sub == name:
                    return u
        return None

    def describe(self) -> dict[str, Any]:
        from ..kernel.clock import us_to_datetime as dt

        out: dict[str, Any] = {
            "Id": self.pool_id, "Name": self.name, "Arn": self.arn,
            "Policies": {"PasswordPolicy": dict(self.password_policy)},
            "DeletionProtection": self.request.get("DeletionProtection", "INACTIVE"),
            "LambdaConfig": dict(self.lambda_config),
            "LastModifiedDate": dt(self.update_us), "CreationDate": dt(self.create_us),
            "SchemaAttributes": list(self.schema.values()),
            "AutoVerifiedAttributes": list(self.auto_verified),
            "MfaConfiguration": self.mfa,
            "EstimatedNumberOfUsers": len(self.users),
            "UserPoolTier": self.request.get("UserPoolTier", "ESSENTIALS"),
            "AdminCreateUserConfig": self.request.get("AdminCreateUserConfig", {"AllowAdminCreateUserOnly": False}),
            "UsernameConfiguration": {"CaseSensitive": self.case_sensitive},
        }
        if self.username_attributes:
            out["UsernameAttributes"] = list(self.username_attributes)
        if self.alias_attributes:
            out["AliasAttributes"] = list(self.alias_attributes)
        for k in ("EmailConfiguration", "VerificationMessageTemplate", "UserAttributeUpdateSettings",
                  "AccountRecoverySetting", "UserPoolTags"):
            if k in self.request:
                out[k] = self.request[k]
        return out
