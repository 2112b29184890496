"""Signing in and tokens: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge,
AdminRespondToAuthChallenge, GetUser, ChangePassword, GlobalSignOut, AdminUserGlobalSignOut,
RevokeToken.

https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
and siblings; the flows of https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow.html.

- ``USER_PASSWORD_AUTH`` (InitiateAuth) and ``ADMIN_USER_PASSWORD_AUTH`` / ``ADMIN_NO_SRP_AUTH``
  (AdminInitiateAuth) need the app client to allow them ("USER_PASSWORD_AUTH flow not enabled
  for this client"). A wrong password is ``NotAuthorizedException`` "Incorrect username or
  password."; an unknown user is ``UserNotFoundException`` "User does not exist." unless the
  client has PreventUserExistenceErrors ENABLED (then the same NotAuthorizedException); an
  unconfirmed user with the right password ``UserNotConfirmedException``; a disabled one "User is
  disabled.". A FORCE_CHANGE_PASSWORD user gets the ``NEW_PASSWORD_REQUIRED`` challenge with a
  ``Session`` valid for the client's AuthSessionValidity (3 minutes by default); a temporary
  password older than TemporaryPasswordValidityDays is refused.
- ``REFRESH_TOKEN_AUTH`` / ``REFRESH_TOKEN`` returns new ID and access tokens (no new refresh
  token) while the refresh token is unexpired and unrevoked, for the client it was issued to.
- Tokens (see :mod:`.tokens`): the PreTokenGeneration trigger may add, override or suppress
  claims and override groups (V1: ID token; V2: both tokens and access-token scopes).
- GlobalSignOut (with an access token) and AdminUserGlobalSignOut revoke every refresh token of
  the user and the access tokens issued with them; RevokeToken revokes one refresh token's
  family. Revoked or expired access tokens are refused by GetUser/ChangePassword/GlobalSignOut:
  "Access Token has been revoked" / "Access Token has expired" / "Invalid Access Token".

Not modelled: SRP (``USER_SRP_AUTH``), custom auth challenges, MFA challenges, adaptive
authentication, and the lock-out after repeated failed sign-ins.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .errors import (InvalidParameterException, NotAuthorizedException, PasswordResetRequiredException,
                     UnsupportedOperationException, UnsupportedTokenTypeException, UserNotConfirmedException,
                     UserNotFoundException)
from .pools import AppClient, ChallengeSession, RefreshSession, User, UserPool, hash_password
from .tokens import SCOPE_ADMIN, TokenError, check_token, issuer, sign
from .triggers import event, invoke, trigger_arn

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .crypto import RsaKey

_PROTECTED = frozenset({"acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username", "exp", "iat",
                        "identities", "iss", "jti", "nbf", "nonce", "origin_jti", "sub", "token_use",
                        "client_id", "event_id", "username", "scope", "cognito:groups", "cognito:roles",
                        "cognito:preferred_role"})
_FLOWS = ("USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH",
          "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH")


def _claim_value(name: str, value: str) -> Any:
    if name.endswith("_verified"):
        return value == "true"
    if name == "updated_at":
        try:
            return int(value)
        except ValueError:
            return value
    return value


class AuthOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        pools: dict[str, UserPool]
        region: str
        def _attributes(self, pool: UserPool, items: Any, *, creating: bool,
                        admin: bool = False) -> dict[str, str]: ...
        def _check_password(self, pool: UserPool, password: Any, admin: bool,
                            member: str = "password") -> str: ...
        def _check_required(self, pool: UserPool, attributes: dict[str, str]) -> None: ...
        def _check_secret(self, client: AppClient, username: str, given: Any) -> None: ...
        def _client(self, client_id: Any, pool: UserPool | None = None) -> tuple[UserPool, AppClient]: ...
        def _pool(self, pool_id: Any) -> UserPool: ...
        def _trigger_attributes(self, user: User, status: str | None = None) -> dict[str, str]: ...
        def _user(self, pool: UserPool, username: Any) -> User: ...
        def keys(self, pool: UserPool) -> tuple[RsaKey, RsaKey]: ...

    # -- tokens ---------------------------------------------------------------------------
    def _token_id(self) -> str:
        return self.cloud.streams.uuid("cognito-idp/tokens")

    def _opaque(self, parts: tuple[int, ...]) -> str:
        rng = self.cloud.rng("cognito-idp/tokens")
        segs = [base64.urlsafe_b64encode(rng.getrandbits(n * 8).to_bytes(n, "big")).rstrip(b"=").decode() for n in parts]
        return ".".join(segs)

    def _groups_of(self, pool: UserPool, user: User) -> list[Any]:
        groups = [pool.groups[g] for g in user.groups if g in pool.groups]
        big = 1 << 62
        return sorted(groups, key=lambda g: (g.precedence if g.precedence is not None else big, g.create_us, g.name))

    def _issue(self, pool: UserPool, client: AppClient, user: User, source: str,
               metadata: Any, refresh: RefreshSession | None = None) -> dict[str, Any]:
        now_us = self.cloud.now_us
        now_s = now_us // 1_000_000
        if refresh is None:
            origin = self._token_id()
            event_id = self._token_id()
            auth_time = now_s
        else:
            origin = refresh.origin_jti
            event_id = refresh.event_id
            auth_time = refresh.auth_time_s
        groups = self._groups_of(pool, user)
        group_names = [g.name for g in groups]
        roles = [g.role_arn for g in groups if g.role_arn]
        preferred = next((g.role_arn for g in groups if g.role_arn), None)
        iss = issuer(self.region, pool.pool_id)
        id_claims: dict[str, Any] = {"sub": user.sub}
        if group_names:
            id_claims["cognito:groups"] = group_names
        readable = client.read_attributes
        attrs = {k: v for k, v in user.attributes.items() if k != "sub" and (readable is None or k in readable)}
        if "email_verified" in attrs:
            id_claims["email_verified"] = _claim_value("email_verified", attrs.pop("email_verified"))
        id_claims["iss"] = iss
        id_claims["cognito:username"] = user.username
        if roles:
            id_claims["cognito:roles"] = roles
            id_claims["cognito:preferred_role"] = preferred
        id_claims.update({"origin_jti": origin, "aud": client.client_id, "event_id": event_id, "token_use": "id",
                          "auth_time": auth_time, "exp": now_s + client.id_validity_s, "iat": now_s,
                          "jti": self._token_id()})
        for k, v in attrs.items():
            id_claims[k] = _claim_value(k, v)
        access: dict[str, Any] = {"sub": user.sub}
        if group_names:
            access["cognito:groups"] = group_names
        scopes = [SCOPE_ADMIN]
        access.update({"iss": iss, "client_id": client.client_id, "origin_jti": origin, "event_id": event_id,
                       "token_use": "access", "scope": SCOPE_ADMIN, "auth_time": auth_time,
                       "exp": now_s + client.access_validity_s, "iat": now_s, "jti": self._token_id(),
                       "username": user.username})
        arn, version = trigger_arn(pool, "PreTokenGeneration")
        if arn is not None:
            request = {"userAttributes": self._trigger_attributes(user),
                       "groupConfiguration": {"groupsToOverride": group_names, "iamRolesToOverride": roles,
                                              "preferredRole": preferred},
                       "clientMetadata": metadata or {}}
            if version == "2":
                request["scopes"] = list(scopes)
            key = "claimsAndScopeOverrideDetails" if version == "2" else "claimsOverrideDetails"
            response = invoke(self.cloud, pool, "PreTokenGeneration", event(
                pool, self.region, user.username, source, client.client_id, request, {key: None}, version)) or {}
            details = response.get(key) or {}
            if not isinstance(details, dict):
                from .errors import InvalidLambdaResponseException

                raise InvalidLambdaResponseException("Unrecognizable lambda output")
            self._apply_overrides(details, version, id_claims, access, scopes)
        id_key, access_key = self.keys(pool)
        result: dict[str, Any] = {"AccessToken": sign(access, access_key), "ExpiresIn": client.access_validity_s,
                                  "TokenType": "Bearer"}
        if refresh is None:
            # Shaped like AWS's (a JWE: header, encrypted key, IV, ciphertext, tag); opaque here.
            header = base64.urlsafe_b64encode(json.dumps(
                {"cty": "JWT", "enc": "A256GCM", "alg": "RSA-OAEP"}, separators=(",", ":")).encode()).rstrip(b"=").decode()
            token = f"{header}.{self._opaque((256, 12, 400, 16))}"
            rs = RefreshSession(token, origin, client.client_id, user.username, auth_time,
                                now_us + client.refresh_validity_s * 1_000_000, event_id=event_id)
            pool.refresh[token] = rs
            user.sessions.append(origin)
            result["RefreshToken"] = token
        result["IdToken"] = sign(id_claims, id_key)
        return result

    @staticmethod
    def _apply_overrides(details: dict[str, Any], version: str, id_claims: dict[str, Any],
                         access: dict[str, Any], scopes: list[str]) -> None:
        def apply(claims: dict[str, Any], spec: Any) -> None:
            if not isinstance(spec, dict):
                return
            for k, v in (spec.get("claimsToAddOrOverride") or {}).items():
                if k not in _PROTECTED:
                    claims[k] = v
            for k in spec.get("claimsToSuppress") or []:
                if k not in _PROTECTED:
                    claims.pop(k, None)

        groups = details.get("groupOverrideDetails")
        if version == "2":
            apply(id_claims, details.get("idTokenGeneration"))
            atg = details.get("accessTokenGeneration")
            apply(access, atg)
            if isinstance(atg, dict):
                for s in atg.get("scopesToAdd") or []:
                    if s not in scopes:
                        scopes.append(s)
                for s in atg.get("scopesToSuppress") or []:
                    if s in scopes:
                        scopes.remove(s)
                access["scope"] = " ".join(scopes)
                if not scopes:
                    access.pop("scope", None)
        else:
            apply(id_claims, details)
        if isinstance(groups, dict):
            for claims in (id_claims, access):
                if groups.get("groupsToOverride") is not None:
                    if groups["groupsToOverride"]:
                        claims["cognito:groups"] = list(groups["groupsToOverride"])
                    else:
                        claims.pop("cognito:groups", None)
            if groups.get("iamRolesToOverride") is not None:
                id_claims["cognito:roles"] = list(groups["iamRolesToOverride"])
            if groups.get("preferredRole") is not None:
                id_claims["cognito:preferred_role"] = groups["preferredRole"]

    # -- the flows ------------------------------------------------------------------------
    def _initiate(self, pool: UserPool, client: AppClient, request: dict[str, Any],
                  admin: bool) -> dict[str, Any]:
        flow = request.get("AuthFlow")
        if flow not in _FLOWS:
            raise InvalidParameterException(
                f"1 validation error detected: Value '{flow}' at 'authFlow' failed to satisfy constraint: Member must "
                "satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, "
                "ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]")
        params = request.get("AuthParameters") or {}
        metadata = request.get("ClientMetadata")
        if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
            return self._refresh(pool, client, params, metadata)
        if flow in ("ADMIN_NO_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH"):
            if not admin:
                raise InvalidParameterException("Initiate Auth method not supported.")
            if not client.allows("ADMIN_USER_PASSWORD_AUTH"):
                raise InvalidParameterException("Auth flow not enabled for this client")
        elif flow == "USER_PASSWORD_AUTH":
            if not client.allows("USER_PASSWORD_AUTH"):
                raise InvalidParameterException("USER_PASSWORD_AUTH flow not enabled for this client")
        else:
            raise InvalidParameterException(f"{flow} is not supported by serverless_sim; use USER_PASSWORD_AUTH "
                                            "or ADMIN_USER_PASSWORD_AUTH")
        username = params.get("USERNAME")
        password = params.get("PASSWORD")
        if not isinstance(username, str) or not username:
            raise InvalidParameterException("Missing required parameter USERNAME")
        if not isinstance(password, str):
            raise InvalidParameterException("Missing required parameter PASSWORD")
        self._check_secret(client, username, params.get("SECRET_HASH"))
        user = pool.find_user(username)
        if user is None:
            if client.prevent_user_existence_errors == "ENABLED":
                raise NotAuthorizedException("Incorrect username or password.")
            raise UserNotFoundException("User does not exist.")
        if not user.enabled:
            raise NotAuthorizedException("User is disabled.")
        invoke(self.cloud, pool, "PreAuthentication", event(
            pool, self.region, user.username, "PreAuthentication_Authentication", client.client_id,
            {"userAttributes": self._trigger_attributes(user), "validationData": None,
             "userNotFound": False}, {}))
        if user.password_hash is None or user.password_hash != hash_password(user.sub, password):
            raise NotAuthorizedException("Incorrect username or password.")
        if user.status == "UNCONFIRMED":
            raise UserNotConfirmedException("User is not confirmed.")
        if user.status == "RESET_REQUIRED":
            raise PasswordResetRequiredException("Password reset required for the user")
        if user.status == "FORCE_CHANGE_PASSWORD":
            if user.temp_expires_us is not None and self.cloud.now_us >= user.temp_expires_us:
                raise NotAuthorizedException("Temporary password has expired and must be reset by an administrator.")
            session = self._opaque((64, 512))
            pool.challenges[session] = ChallengeSession(
                session, "NEW_PASSWORD_REQUIRED", client.client_id, user.username,
                self.cloud.now_us + client.auth_session_validity_min * 60 * 1_000_000, admin)
            visible = {k: v for k, v in user.attributes.items() if k != "sub"}
            required = [f"userAttributes.{n}" for n, e in pool.schema.items()
                        if e.get("Required") and n != "sub" and not user.attributes.get(n)]
            return {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
                    "ChallengeParameters": {"USER_ID_FOR_SRP": user.username,
                                            "requiredAttributes": json.dumps(required),
                                            "userAttributes": json.dumps(visible)}}
        result = self._issue(pool, client, user, "TokenGeneration_Authentication", metadata)
        invoke(self.cloud, pool, "PostAuthentication", event(
            pool, self.region, user.username, "PostAuthentication_Authentication", client.client_id,
            {"userAttributes": self._trigger_attributes(user), "newDeviceUsed": False}, {}))
        return {"ChallengeParameters": {}, "AuthenticationResult": result}

    def _refresh(self, pool: UserPool, client: AppClient, params: dict[str, Any],
                 metadata: Any) -> dict[str, Any]:
        if not client.allows("REFRESH_TOKEN_AUTH"):
            raise InvalidParameterException("Refresh Token auth flow not enabled for this client")
        token = params.get("REFRESH_TOKEN")
        if not isinstance(token, str):
            raise InvalidParameterException("Missing required parameter REFRESH_TOKEN")
        rs = pool.refresh.get(token)
        if rs is None or rs.client_id != client.client_id:
            raise NotAuthorizedException("Invalid Refresh Token")
        if rs.revoked:
            raise NotAuthorizedException("Refresh Token has been revoked")
        if self.cloud.now_us >= rs.expires_us:
            raise NotAuthorizedException("Refresh Token has expired")
        user = pool.users.get(pool.key(rs.username))
        if user is None:
            raise NotAuthorizedException("Invalid Refresh Token")
        if client.secret is not None:
            given = params.get("SECRET_HASH")
            name = params.get("USERNAME", user.username)
            self._check_secret(client, name if isinstance(name, str) else user.username, given)
        if not user.enabled:
            raise NotAuthorizedException("User is disabled.")
        result = self._issue(pool, client, user, "TokenGeneration_RefreshTokens", metadata, refresh=rs)
        return {"ChallengeParameters": {}, "AuthenticationResult": result}

    @operation("InitiateAuth")
    def initiate_auth(self, request: dict[str, Any]) -> dict[str, Any]:
        pool, client = self._client(request.get("ClientId"))
        return self._initiate(pool, client, request, admin=False)

    @operation("AdminInitiateAuth")
    def admin_initiate_auth(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        _, client = self._client(request.get("ClientId"), pool)
        return self._initiate(pool, client, request, admin=True)

    def _respond(self, pool: UserPool, client: AppClient, request: dict[str, Any],
                 admin: bool) -> dict[str, Any]:
        name = request.get("ChallengeName")
        if name != "NEW_PASSWORD_REQUIRED":
            raise InvalidParameterException(f"{name} challenges are not supported by serverless_sim")
        responses = request.get("ChallengeResponses") or {}
        token = request.get("Session")
        cs = pool.challenges.get(token) if isinstance(token, str) else None
        if cs is None or cs.client_id != client.client_id or cs.challenge != name:
            raise NotAuthorizedException("Invalid session for the user.")
        if self.cloud.now_us >= cs.expires_us:
            raise NotAuthorizedException("Invalid session for the user, session is expired.")
        username = responses.get("USERNAME")
        user = pool.find_user(username) if isinstance(username, str) else None
        if user is None or user.username != cs.username:
            raise NotAuthorizedException("Invalid session for the user.")
        self._check_secret(client, user.username if username is None else str(username), responses.get("SECRET_HASH"))
        new_password = responses.get("NEW_PASSWORD")
        if not isinstance(new_password, str):
            raise InvalidParameterException("Invalid parameter: NEW_PASSWORD is missing")
        self._check_password(pool, new_password, admin=False)
        items = [{"Name": k[len("userAttributes."):], "Value": v} for k, v in responses.items()
                 if k.startswith("userAttributes.")]
        attributes = self._attributes(pool, items, creating=False)
        merged = {**user.attributes, **attributes}
        self._check_required(pool, merged)
        if user.status != "FORCE_CHANGE_PASSWORD":
            raise NotAuthorizedException("Invalid session for the user.")
        saved = (user.password_hash, user.status, dict(user.attributes), user.temp_expires_us)
        user.password_hash = hash_password(user.sub, new_password)
        user.status = "CONFIRMED"
        user.attributes = merged
        user.temp_expires_us = None
        try:
            result = self._issue(pool, client, user, "TokenGeneration_NewPasswordChallenge", request.get("ClientMetadata"))
        except Exception:
            user.password_hash, user.status, user.attributes, user.temp_expires_us = saved
            raise
        del pool.challenges[cs.token]
        user.modified_us = self.cloud.now_us
        return {"ChallengeParameters": {}, "AuthenticationResult": result}

    @operation("RespondToAuthChallenge")
    def respond_to_auth_challenge(self, request: dict[str, Any]) -> dict[str, Any]:
        pool, client = self._client(request.get("ClientId"))
        return self._respond(pool, client, request, admin=False)

    @operation("AdminRespondToAuthChallenge")
    def admin_respond_to_auth_challenge(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        _, client = self._client(request.get("ClientId"), pool)
        return self._respond(pool, client, request, admin=True)

    # -- access-token APIs -----------------------------------------------------------------
    def _access(self, token: Any) -> tuple[UserPool, User, dict[str, Any]]:
        """The pool, user and claims of a valid access token (Cognito's own APIs' checks)."""
        from .crypto import decode_jwt

        parts = decode_jwt(token)
        iss = parts[1].get("iss") if parts is not None else None
        pool = self.pools.get(iss.rsplit("/", 1)[-1]) if isinstance(iss, str) else None
        if pool is None:
            raise NotAuthorizedException("Invalid Access Token")
        try:
            claims = check_token(self.cloud, token, pool, token_use="access")
        except TokenError as exc:
            if "expired" in exc.description:
                raise NotAuthorizedException("Access Token has expired") from None
            raise NotAuthorizedException("Invalid Access Token") from None
        if claims.get("origin_jti") in pool.revoked:
            raise NotAuthorizedException("Access Token has been revoked")
        if SCOPE_ADMIN not in str(claims.get("scope", "")).split():
            raise NotAuthorizedException("Access Token does not have required scopes")
        user = pool.users.get(pool.key(str(claims.get("username"))))
        if user is None or user.sub != claims.get("sub"):
            raise UserNotFoundException("User does not exist.")
        if not user.enabled:
            raise NotAuthorizedException("User is disabled.")
        return pool, user, claims

    @operation("GetUser")
    def get_user(self, request: dict[str, Any]) -> dict[str, Any]:
        _, user, _ = self._access(request.get("AccessToken"))
        return {"Username": user.username, "UserAttributes": user.attribute_list(), "UserMFASettingList": []}

    @operation("ChangePassword")
    def change_password(self, request: dict[str, Any]) -> dict[str, Any]:
        pool, user, _ = self._access(request.get("AccessToken"))
        previous = request.get("PreviousPassword")
        if not isinstance(previous, str) or user.password_hash != hash_password(user.sub, previous):
            raise NotAuthorizedException("Incorrect username or password.")
        proposed = self._check_password(pool, request.get("ProposedPassword"), admin=False, member="proposedPassword")
        user.password_hash = hash_password(user.sub, proposed)
        user.modified_us = self.cloud.now_us
        return {}

    def _revoke_user(self, pool: UserPool, user: User) -> None:
        for origin in user.sessions:
            pool.revoked.add(origin)
        for rs in pool.refresh.values():
            if rs.username == user.username:
                rs.revoked = True
        user.sessions = []

    @operation("GlobalSignOut")
    def global_sign_out(self, request: dict[str, Any]) -> dict[str, Any]:
        pool, user, _ = self._access(request.get("AccessToken"))
        self._revoke_user(pool, user)
        return {}

    @operation("AdminUserGlobalSignOut")
    def admin_user_global_sign_out(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        user = self._user(pool, request.get("Username"))
        self._revoke_user(pool, user)
        return {}

    @operation("RevokeToken")
    def revoke_token(self, request: dict[str, Any]) -> dict[str, Any]:
        pool, client = self._client(request.get("ClientId"))
        if client.secret is not None and request.get("ClientSecret") != client.secret:
            raise NotAuthorizedException(f"Client {client.client_id} is configured with secret but secret was not received")
        if not client.enable_token_revocation:
            raise UnsupportedOperationException("Token revocation is not enabled for this client")
        token = request.get("Token")
        if not isinstance(token, str):
            raise InvalidParameterException("Missing required parameter Token")
        rs = pool.refresh.get(token)
        if rs is None:
            if token.count(".") == 2:
                raise UnsupportedTokenTypeException("Unsupported token type")
            return {}
        if rs.client_id != client.client_id:
            raise NotAuthorizedException("Invalid Refresh Token")
        rs.revoked = True
        pool.revoked.add(rs.origin_jti)
        user = pool.users.get(pool.key(rs.username))
        if user is not None and rs.origin_jti in user.sessions:
            user.sessions.remove(rs.origin_jti)
        return {}
