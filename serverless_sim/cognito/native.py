"""The Pythonic side of Cognito user pools, for tests and simulations.

``idp = cloud.service("cognito-idp")``:

- ``idp.last_code(pool_id, username)``: the last confirmation code (or temporary password) sent
  to the user (what the email or SMS would carry); ``idp.outbox`` has every message.
- ``idp.jwks(pool_id)``: the pool's JSON Web Key Set; ``idp.jwks_url(pool_id)`` its URL.
- ``idp.create_user(pool_id, username, password, attributes)``: a CONFIRMED user in one call
  (AdminCreateUser + AdminSetUserPassword, no message).
- ``idp.sign_in(client_id, username, password)``: the AuthenticationResult of
  USER_PASSWORD_AUTH (or ADMIN_USER_PASSWORD_AUTH when only that flow is enabled).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.errors import SimError

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .pools import AppClient, UserPool


class NativeAPI:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        outbox: list[dict[str, Any]]
        region: str
        def _client(self, client_id: Any, pool: UserPool | None = None) -> tuple[UserPool, AppClient]: ...
        def _pool(self, pool_id: Any) -> UserPool: ...
        def dispatch(self, operation_name: str, request: dict[str, Any]) -> dict[str, Any]: ...

    def last_code(self, pool_id: str, username: str) -> str:
        """The code (or temporary password) of the last message sent to ``username``."""
        pool = self._pool(pool_id)
        user = pool.find_user(username)
        name = user.username if user is not None else username
        for msg in reversed(self.outbox):
            if msg["UserPoolId"] == pool_id and msg["Username"] == name:
                return str(msg["Code"])
        raise SimError(f"no message was sent to {username!r} in {pool_id}")

    def jwks(self, pool_id: str) -> dict[str, Any]:
        from .tokens import jwks

        return jwks(self.cloud, pool_id)

    def jwks_url(self, pool_id: str) -> str:
        from .tokens import jwks_url

        return jwks_url(self.region, pool_id)

    def create_user(self, pool_id: str, username: str, password: str,
                    attributes: dict[str, str] | None = None) -> dict[str, Any]:
        attrs = [{"Name": k, "Value": v} for k, v in (attributes or {}).items()]
        out = self.dispatch("AdminCreateUser", {"UserPoolId": pool_id, "Username": username,
                                                "UserAttributes": attrs, "MessageAction": "SUPPRESS"})
        self.dispatch("AdminSetUserPassword", {"UserPoolId": pool_id, "Username": out["User"]["Username"],
                                               "Password": password, "Permanent": True})
        return out["User"]  # type: ignore[no-any-return]

    def sign_in(self, client_id: str, username: str, password: str) -> dict[str, Any]:
        pool, client = self._client(client_id)
        params: dict[str, Any] = {"USERNAME": username, "PASSWORD": password}
        if client.secret is not None:
            from .users_api import secret_hash

            params["SECRET_HASH"] = secret_hash(client.secret, username, client_id)
        if client.allows("USER_PASSWORD_AUTH"):
            out = self.dispatch("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                                 "AuthParameters": params})
        else:
            out = self.dispatch("AdminInitiateAuth", {"UserPoolId": pool.pool_id, "ClientId": client_id,
                                                      "AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "AuthParameters": params})
        if "AuthenticationResult" not in out:
            raise SimError(f"sign-in returned the challenge {out.get('ChallengeName')}, not tokens")
        return out["AuthenticationResult"]  # type: ignore[no-any-return]
