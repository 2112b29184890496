"""Users: SignUp, ConfirmSignUp, ResendConfirmationCode, AdminCreateUser, AdminSetUserPassword,
AdminConfirmSignUp, AdminGetUser, AdminDeleteUser, AdminDisableUser, AdminEnableUser,
AdminUpdateUserAttributes, ListUsers.

https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html and
siblings. Modelled:

- SignUp creates an UNCONFIRMED user (CONFIRMED when the PreSignUp trigger auto-confirms) and
  sends a confirmation code (six digits from the ``cognito-idp/codes`` stream, valid 24 hours) to
  the first auto-verified attribute the user has (email, then phone_number). Nothing is
  delivered anywhere: codes and temporary passwords land in the service's outbox
  (:meth:`~.native.NativeAPI.last_code`, :attr:`~.service.CognitoIdentityProvider.outbox`).
- ConfirmSignUp checks the code (CodeMismatchException, ExpiredCodeException), runs
  PostConfirmation, then confirms the user and marks the attribute verified; a trigger failure
  leaves the user unconfirmed.
- AdminCreateUser makes a FORCE_CHANGE_PASSWORD user with the given (or a generated) temporary
  password, valid for the pool's TemporaryPasswordValidityDays; AdminSetUserPassword sets a
  permanent (CONFIRMED) or temporary (FORCE_CHANGE_PASSWORD) password.
- App clients with a secret need ``SecretHash`` = Base64(HMAC-SHA256(secret, username + client id)).
- Every check happens before any change, so a refused request changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .errors import (CodeMismatchException, ExpiredCodeException, InvalidParameterException,
                     InvalidPasswordException, LimitExceededException, NotAuthorizedException,
                     UnsupportedUserStateException, UserNotFoundException, UsernameExistsException)
from .pools import AppClient, PendingCode, User, UserPool, hash_password, password_problem
from .triggers import event, invoke

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .service import CognitoConfig

CODE_VALIDITY_US = 24 * 3600 * 1_000_000
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_USERNAME = re.compile(r"[^\s]+")
_PASSWORD_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def secret_hash(secret: str, username: str, client_id: str) -> str:
    """What an app client with a secret must send as ``SecretHash`` / ``SECRET_HASH``."""
    mac = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def mask(destination: str) -> str:
    """``jane@example.com`` -> ``j***@e***``; ``+15555550100`` -> ``+*******0100``."""
    if "@" in destination:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return destination[:1] + "*" * max(0, len(destination) - 5) + destination[-4:]


class UserOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        config: CognitoConfig
        outbox: list[dict[str, Any]]
        region: str
        def _client(self, client_id: Any, pool: UserPool | None = None) -> tuple[UserPool, AppClient]: ...
        def _pool(self, pool_id: Any) -> UserPool: ...
        def _revoke_user(self, pool: UserPool, user: User) -> None: ...

    # -- shared checks --------------------------------------------------------------------
    def _check_secret(self, client: AppClient, username: str, given: Any) -> None:
        if client.secret is None:
            return
        if not isinstance(given, str) or not hmac.compare_digest(given, secret_hash(client.secret, username, client.client_id)):
            raise NotAuthorizedException(f"Unable to verify secret hash for client {client.client_id}")

    def _check_password(self, pool: UserPool, password: Any, admin: bool,
                        member: str = "password") -> str:
        if not isinstance(password, str) or not 6 <= len(password) <= 256 or password != password.strip():
            raise InvalidParameterException(
                f"1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must satisfy "
                "regular expression pattern: ^[\\S]+.*[\\S]+$")
        problem = password_problem(password, pool.password_policy)
        if problem is not None:
            what = "password policy" if admin else "policy"
            raise InvalidPasswordException(f"Password did not conform with {what}: {problem}")
        return password

    def _check_username(self, username: Any) -> str:
        if not isinstance(username, str) or not 1 <= len(username) <= 128 or not _USERNAME.fullmatch(username):
            raise InvalidParameterException(
                f"1 validation error detected: Value at 'username' failed to satisfy constraint: Member must "
                "satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
        return username

    def _attributes(self, pool: UserPool, items: Any, *, creating: bool,
                    admin: bool = False) -> dict[str, str]:
        out: dict[str, str] = {}
        if items is None:
            items = []
        if not isinstance(items, list):
            raise InvalidParameterException("UserAttributes must be a list.")
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("Name"), str):
                raise InvalidParameterException("Attribute name is required.")
            name, value = item["Name"], item.get("Value", "")
            if not isinstance(value, str):
                raise InvalidParameterException(f"Attribute value for {name} must be a string.")
            if name not in pool.schema:
                raise InvalidParameterException(f"Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined")
            if name == "sub" or (not creating and not pool.schema[name].get("Mutable", True)):
                raise InvalidParameterException(f"Attributes did not conform to the schema: {name}: Attribute cannot be updated. (changing an immutable attribute)")
            if name.endswith("_verified") and not admin:
                raise InvalidParameterException("A client attempted to write unauthorized attribute")
            if name == "email" and value and not _EMAIL.fullmatch(value):
                raise InvalidParameterException("Invalid email address format.")
            if name == "phone_number" and value and not re.fullmatch(r"\+\d{4,15}", value):
                raise InvalidParameterException("Invalid phone number format.")
            if name.endswith("_verified") and value not in ("true", "false"):
                raise InvalidParameterException(f"Invalid value for {name}: must be true or false.")
            out[name] = value
        return out

    def _check_required(self, pool: UserPool, attributes: dict[str, str]) -> None:
        missing = [n for n, e in pool.schema.items() if e.get("Required") and n != "sub" and not attributes.get(n)]
        if missing:
            raise InvalidParameterException("Attributes did not conform to the schema: " +
                                            ", ".join(f"{n}: The attribute is required" for n in missing))

    def _user(self, pool: UserPool, username: Any) -> User:
        user = pool.find_user(username) if isinstance(username, str) else None
        if user is None:
            raise UserNotFoundException("User does not exist.")
        return user

    def _new_sub(self) -> str:
        return self.cloud.streams.uuid("cognito-idp/subs")

    def _new_code(self) -> str:
        return f"{self.cloud.rng('cognito-idp/codes').randrange(1_000_000):06d}"

    def _deliver(self, pool: UserPool, user: User, kind: str, code: str,
                 channel: str | None = None) -> dict[str, str] | None:
        """Put a code or temporary password in the outbox; returns CodeDeliveryDetails."""
        attr = channel
        if attr is None:
            for a in ("email", "phone_number"):
                if a in pool.auto_verified and user.attributes.get(a):
                    attr = a
                    break
        if attr is None:
            return None
        dest = user.attributes.get(attr, "")
        medium = "EMAIL" if attr == "email" else "SMS"
        self.outbox.append({"UserPoolId": pool.pool_id, "Username": user.username, "Kind": kind,
                            "DeliveryMedium": medium, "Destination": dest, "AttributeName": attr,
                            "Code": code, "Time": self.cloud.now})
        return {"Destination": mask(dest), "DeliveryMedium": medium, "AttributeName": attr}

    def _trigger_attributes(self, user: User, status: str | None = None) -> dict[str, str]:
        attrs = {"sub": user.sub}
        attrs.update({k: v for k, v in user.attributes.items() if k != "sub"})
        attrs["cognito:user_status"] = status or user.status
        return attrs

    def _unique_alias(self, pool: UserPool, attributes: dict[str, str],
                      except_user: User | None = None) -> None:
        for attr in pool.username_attributes:
            value = attributes.get(attr)
            if value is None:
                continue
            for u in pool.users.values():
                if u is not except_user and u.attributes.get(attr, "").lower() == value.lower():
                    if attr == "email":
                        raise UsernameExistsException("An account with the given email already exists.")
                    raise UsernameExistsException("An account with the given phone_number already exists.")

    # -- SignUp -------------------------------------------------------------------------
    @operation("SignUp")
    def sign_up(self, request: dict[str, Any]) -> dict[str, Any]:
        pool, client = self._client(request.get("ClientId"))
        username = self._check_username(request.get("Username"))
        self._check_secret(client, username, request.get("SecretHash"))
        password = self._check_password(pool, request.get("Password"), admin=False)
        attributes = self._attributes(pool, request.get("UserAttributes"), creating=True)
        validation = self._attributes_map(request.get("ValidationData"))
        sub = None
        if pool.username_attributes:
            if "email" in pool.username_attributes and _EMAIL.fullmatch(username):
                attributes["email"] = username
            elif "phone_number" in pool.username_attributes and re.fullmatch(r"\+\d{4,15}", username):
                attributes["phone_number"] = username
            else:
                raise InvalidParameterException("Username should be an email." if pool.username_attributes == ["email"]
                                                else "Username should be either an email or a phone number.")
            self._unique_alias(pool, attributes)
        elif pool.find_user(username) is not None:
            raise UsernameExistsException("User already exists")
        self._check_required(pool, attributes)
        if len(pool.users) >= self.config.max_users_per_pool:
            raise LimitExceededException("The user pool has reached its user limit.")
        sub = self._new_sub()
        stored_name = sub if pool.username_attributes else username
        now = self.cloud.now_us
        user = User(stored_name, sub, {"sub": sub, **attributes}, "UNCONFIRMED", hash_password(sub, password), now, now)
        response = invoke(self.cloud, pool, "PreSignUp", event(
            pool, self.region, stored_name, "PreSignUp_SignUp", client.client_id,
            {"userAttributes": dict(attributes), "validationData": validation or None,
             "clientMetadata": request.get("ClientMetadata") or {}},
            {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False})) or {}
        if response.get("autoConfirmUser"):
            user.status = "CONFIRMED"
            if response.get("autoVerifyEmail") and user.attributes.get("email"):
                user.attributes["email_verified"] = "true"
            if response.get("autoVerifyPhone") and user.attributes.get("phone_number"):
                user.attributes["phone_number_verified"] = "true"
        elif response.get("autoVerifyEmail") or response.get("autoVerifyPhone"):
            from .errors import InvalidLambdaResponseException

            raise InvalidLambdaResponseException("Invalid lambda response: autoVerify requires autoConfirmUser.")
        pool.users[pool.key(stored_name)] = user
        out: dict[str, Any] = {"UserConfirmed": user.status == "CONFIRMED", "UserSub": sub}
        if user.status == "UNCONFIRMED":
            code = self._new_code()
            details = self._deliver(pool, user, "SignUp", code)
            user.code = PendingCode(code, now + CODE_VALIDITY_US, details["AttributeName"] if details else None)
            if details is not None:
                out["CodeDeliveryDetails"] = details
        return out

    def _attributes_map(self, items: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in items or []:
            if isinstance(item, dict) and isinstance(item.get("Name"), str):
                out[item["Name"]] = str(item.get("Value", ""))
        return out

    @operation("ConfirmSignUp")
    def confirm_sign_up(self, request: dict[str, Any]) -> dict[str, Any]:
        pool, client = self._client(request.get("ClientId"))
        username = request.get("Username")
        self._check_secret(client, username if isinstance(username, str) else "", request.get("SecretHash"))
        user = self._user(pool, username)
        code = request.get("ConfirmationCode")
        if not isinstance(code, str) or not re.fullmatch(r"[\S]+", code):
            raise InvalidParameterException("1 validation error detected: Value at 'confirmationCode' failed to "
                                            "satisfy constraint: Member must satisfy regular expression pattern: [\\S]+")
        if user.status != "UNCONFIRMED":
            raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
        pending = user.code
        if pending is None or not hmac.compare_digest(pending.code, code):
            raise CodeMismatchException("Invalid verification code provided, please try again.")
        if self.cloud.now_us >= pending.expires_us:
            raise ExpiredCodeException("Invalid code provided, please request a code again.")
        self._post_confirmation(pool, user, client.client_id, request.get("ClientMetadata"))
        user.status = "CONFIRMED"
        if pending.attribute:
            user.attributes[f"{pending.attribute}_verified"] = "true"
        user.code = None
        user.modified_us = self.cloud.now_us
        return {}

    def _post_confirmation(self, pool: UserPool, user: User, client_id: str | None,
                           metadata: Any) -> None:
        attrs = self._trigger_attributes(user, "CONFIRMED")
        if user.code is not None and user.code.attribute:
            attrs[f"{user.code.attribute}_verified"] = "true"
        invoke(self.cloud, pool, "PostConfirmation", event(
            pool, self.region, user.username, "PostConfirmation_ConfirmSignUp", client_id,
            {"userAttributes": attrs, "clientMetadata": metadata or {}}, {}))

    @operation("ResendConfirmationCode")
    def resend_confirmation_code(self, request: dict[str, Any]) -> dict[str, Any]:
        pool, client = self._client(request.get("ClientId"))
        username = request.get("Username")
        self._check_secret(client, username if isinstance(username, str) else "", request.get("SecretHash"))
        user = self._user(pool, username)
        if user.status != "UNCONFIRMED":
            raise InvalidParameterException("User is already confirmed.")
        code = self._new_code()
        details = self._deliver(pool, user, "ResendCode", code)
        user.code = PendingCode(code, self.cloud.now_us + CODE_VALIDITY_US, details["AttributeName"] if details else None)
        return {"CodeDeliveryDetails": details} if details else {}

    # -- admin ----------------------------------------------------------------------------
    def _temporary_password(self, pool: UserPool) -> str:
        rng = self.cloud.rng("cognito-idp/passwords")
        length = max(12, int(pool.password_policy.get("MinimumLength", 8)))
        core = [rng.choice(_PASSWORD_CHARS) for _ in range(length - 4)]
        core += [rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ"), rng.choice("abcdefghijkmnopqrstuvwxyz"),
                 rng.choice("23456789"), rng.choice("!#%&*+-=?^_")]
        return "".join(core)

    @operation("AdminCreateUser")
    def admin_create_user(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        username = self._check_username(request.get("Username"))
        attributes = self._attributes(pool, request.get("UserAttributes"), creating=True, admin=True)
        action = request.get("MessageAction")
        if action not in (None, "RESEND", "SUPPRESS"):
            raise InvalidParameterException(f"1 validation error detected: Value '{action}' at 'messageAction' failed "
                                            "to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]")
        existing = pool.find_user(username)
        if action == "RESEND":
            if existing is None:
                raise UserNotFoundException("User does not exist.")
            if existing.status != "FORCE_CHANGE_PASSWORD":
                raise UnsupportedUserStateException("Resend not possible. " + username +
                                                    " status is not FORCE_CHANGE_PASSWORD")
            temp = self._temporary_password(pool)
            self._set_temporary(pool, existing, temp)
            self._deliver(pool, existing, "AdminCreateUser", temp, self._channel(request, existing))
            return {"User": existing.shape()}
        if pool.username_attributes:
            if "email" in pool.username_attributes and _EMAIL.fullmatch(username):
                attributes.setdefault("email", username)
            elif "phone_number" in pool.username_attributes and re.fullmatch(r"\+\d{4,15}", username):
                attributes.setdefault("phone_number", username)
            else:
                raise InvalidParameterException("Username should be an email." if pool.username_attributes == ["email"]
                                                else "Username should be either an email or a phone number.")
            self._unique_alias(pool, attributes)
        elif existing is not None:
            raise UsernameExistsException("User account already exists")
        given = request.get("TemporaryPassword")
        if given is not None:
            temp = self._check_password(pool, given, admin=True, member="temporaryPassword")
        else:
            temp = self._temporary_password(pool)
        self._check_required(pool, attributes)
        sub = self._new_sub()
        stored = sub if pool.username_attributes else username
        now = self.cloud.now_us
        user = User(stored, sub, {"sub": sub, **attributes}, "FORCE_CHANGE_PASSWORD", None, now, now)
        invoke(self.cloud, pool, "PreSignUp", event(
            pool, self.region, stored, "PreSignUp_AdminCreateUser", None,
            {"userAttributes": dict(attributes), "validationData": self._attributes_map(request.get("ValidationData")) or None,
             "clientMetadata": request.get("ClientMetadata") or {}},
            {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}))
        self._set_temporary(pool, user, temp)
        pool.users[pool.key(stored)] = user
        if action != "SUPPRESS":
            self._deliver(pool, user, "AdminCreateUser", temp, self._channel(request, user))
        else:
            self.outbox.append({"UserPoolId": pool.pool_id, "Username": stored, "Kind": "AdminCreateUser",
                                "DeliveryMedium": None, "Destination": None, "AttributeName": None,
                                "Code": temp, "Time": self.cloud.now})
        return {"User": user.shape()}

    def _channel(self, request: dict[str, Any], user: User) -> str | None:
        media = request.get("DesiredDeliveryMediums") or ["SMS"]
        if "EMAIL" in media and user.attributes.get("email"):
            return "email"
        if "SMS" in media and user.attributes.get("phone_number"):
            return "phone_number"
        return "email" if user.attributes.get("email") else None

    def _set_temporary(self, pool: UserPool, user: User, temp: str) -> None:
        user.password_hash = hash_password(user.sub, temp)
        user.status = "FORCE_CHANGE_PASSWORD"
        days = int(pool.password_policy.get("TemporaryPasswordValidityDays", 7))
        user.temp_expires_us = self.cloud.now_us + days * 86_400 * 1_000_000 if days else None
        user.modified_us = self.cloud.now_us

    @operation("AdminSetUserPassword")
    def admin_set_user_password(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        user = self._user(pool, request.get("Username"))
        password = self._check_password(pool, request.get("Password"), admin=True)
        if request.get("Permanent"):
            user.password_hash = hash_password(user.sub, password)
            user.status = "CONFIRMED"
            user.temp_expires_us = None
            user.code = None
            user.modified_us = self.cloud.now_us
        else:
            self._set_temporary(pool, user, password)
        return {}

    @operation("AdminConfirmSignUp")
    def admin_confirm_sign_up(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        user = self._user(pool, request.get("Username"))
        if user.status != "UNCONFIRMED":
            raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
        saved = user.code
        user.code = None  # no attribute gets verified by an admin confirmation
        try:
            self._post_confirmation(pool, user, None, request.get("ClientMetadata"))
        except Exception:
            user.code = saved
            raise
        user.status = "CONFIRMED"
        user.modified_us = self.cloud.now_us
        return {}

    @operation("AdminGetUser")
    def admin_get_user(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        user = self._user(pool, request.get("Username"))
        out = user.shape("UserAttributes")
        out["UserMFASettingList"] = []
        return out

    @operation("AdminDeleteUser")
    def admin_delete_user(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        user = self._user(pool, request.get("Username"))
        self._revoke_user(pool, user)
        for g in user.groups:
            group = pool.groups.get(g)
            if group is not None and user.username in group.members:
                group.members.remove(user.username)
        del pool.users[pool.key(user.username)]
        return {}

    @operation("AdminDisableUser")
    def admin_disable_user(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        user = self._user(pool, request.get("Username"))
        user.enabled = False
        self._revoke_user(pool, user)
        return {}

    @operation("AdminEnableUser")
    def admin_enable_user(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        self._user(pool, request.get("Username")).enabled = True
        return {}

    @operation("AdminUpdateUserAttributes")
    def admin_update_user_attributes(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        user = self._user(pool, request.get("Username"))
        attributes = self._attributes(pool, request.get("UserAttributes"), creating=False, admin=True)
        self._unique_alias(pool, attributes, except_user=user)
        user.attributes.update(attributes)
        user.modified_us = self.cloud.now_us
        return {}

    @operation("ListUsers")
    def list_users(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        users = sorted(pool.users.values(), key=lambda u: (u.create_us, u.username))
        flt = request.get("Filter")
        if flt:
            m = re.fullmatch(r'\s*"?([\w:]+)"?\s*(\^?=)\s*"(.*)"\s*', flt)
            if not m:
                raise InvalidParameterException("Error while parsing filter.")
            attr, op, value = m.groups()
            field = {"username": "username", "status": "status", "cognito:user_status": "status"}.get(attr)

            def get(u: User) -> str:
                if field == "username":
                    return u.username
                if field == "status":
                    return u.status
                if attr == "sub":
                    return u.sub
                return u.attributes.get(attr, "")

            users = [u for u in users if (get(u) == value if op == "=" else get(u).startswith(value))]
        limit = request.get("Limit", 60)
        start = int(request["PaginationToken"]) if request.get("PaginationToken") else 0
        chunk = users[start:start + limit]
        out: dict[str, Any] = {"Users": [u.shape() for u in chunk]}
        if start + limit < len(users):
            out["PaginationToken"] = str(start + limit)
        return out

