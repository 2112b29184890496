"""AWS Security Token Service: AssumeRole, GetCallerIdentity, GetSessionToken.

https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html

- **AssumeRole**: the role's trust policy must allow the caller ``sts:AssumeRole`` (see
  :mod:`.trust`), and unless the trust policy names the caller exactly, the caller's identity
  policies must allow ``sts:AssumeRole`` on the role too. A refusal (or a role that does not
  exist) is ``AccessDenied`` "User: <caller> is not authorized to perform: sts:AssumeRole on
  resource: <role arn>". ``DurationSeconds`` 900 s up to the role's MaxSessionDuration (default
  3,600 s; role chaining caps it at one hour). ``Policy`` / ``PolicyArns`` are session policies:
  the session gets the intersection of the role's permissions and theirs. ``ExternalId`` and
  ``RoleSessionName`` reach the trust policy as ``sts:ExternalId`` / ``sts:RoleSessionName``.
  The credentials (``ASIA...``) expire on the virtual clock.
- **GetCallerIdentity** needs no permission; an uncredentialed (trusted) call is the account
  root: ``{"UserId": "<acct>", "Arn": "arn:aws:iam::<acct>:root"}``.
- **GetSessionToken**: temporary credentials for an IAM user (12 hours by default, 900 s-36 h).

Deviation: the trusted caller (a client without credentials) acts as the account and may assume
any role whose trust policy allows the account or ``*`` (AWS refuses role assumption with root
credentials).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ..kernel.service import Service, operation
from .errors import (STS_ERRORS, PackedPolicyTooLarge, STSAccessDenied, STSMalformedPolicyDocument,
                     STSValidationError)
from .evaluate import ALLOW
from .policy import PolicySyntaxError, parse_document
from .service import store_of
from .store import IdentityStore, Principal
from .trust import evaluate_trust

if TYPE_CHECKING:
    from ..cloud import Cloud

_SESSION_NAME = re.compile(r"[\w+=,.@-]*")
PACKED_POLICY_CHARS = 2048


def principal_ids(store: IdentityStore, p: Principal) -> dict[str, set[str]]:
    """The identifiers under which a trust policy can name principal ``p``."""
    acct = store.account
    ids = {f"arn:aws:iam::{acct}:root", acct, p.arn}
    if p.kind == "assumed-role" and p.role_arn:
        ids.add(p.role_arn)
    if p.kind.startswith("service:"):
        return {"Service": {p.kind.split(":", 1)[1]}}
    if p.kind == "federated":
        return {"Federated": {p.name}}
    return {"AWS": ids}


class STS(Service):
    """AWS STS of one Cloud (temporary credentials live in the ``iam`` service's store)."""

    service_name = "sts"
    errors = STS_ERRORS

    def __init__(self, cloud: "Cloud") -> None:
        super().__init__(cloud)

    @property
    def store(self) -> IdentityStore:
        return store_of(self.cloud)

    @operation("GetCallerIdentity")
    def get_caller_identity(self, request: dict[str, Any]) -> dict[str, Any]:
        p = self.store.current_caller()
        return {"UserId": p.user_id, "Account": self.store.account, "Arn": p.arn}

    def _duration(self, request: dict[str, Any], default: int, low: int, high: int) -> int:
        d = request.get("DurationSeconds", default)
        if not isinstance(d, int) or isinstance(d, bool) or d < low:
            raise STSValidationError(f"1 validation error detected: Value '{d}' at 'durationSeconds' failed to "
                                     f"satisfy constraint: Member must have value greater than or equal to {low}")
        if d > high:
            raise STSValidationError(f"1 validation error detected: Value '{d}' at 'durationSeconds' failed to "
                                     f"satisfy constraint: Member must have value less than or equal to {high}")
        return d

    def _session_documents(self, request: dict[str, Any]) -> list[dict[str, Any]] | None:
        docs: list[dict[str, Any]] = []
        text = request.get("Policy")
        arns = request.get("PolicyArns")
        if text is None and not arns:
            return None
        if text is not None:
            if not isinstance(text, str):
                raise STSMalformedPolicyDocument("The policy is not in the valid JSON format.")
            try:
                docs.append(parse_document(text))
            except PolicySyntaxError as exc:
                raise STSMalformedPolicyDocument(str(exc)) from None
            packed = len(json.dumps(json.loads(text), separators=(",", ":")))
            if packed > PACKED_POLICY_CHARS:
                pct = packed * 100 // PACKED_POLICY_CHARS
                raise PackedPolicyTooLarge(f"Packed policy consumes {pct}% of allotted space, please use "
                                           "smaller policy for session.")
        for entry in arns or []:
            arn = entry.get("arn") if isinstance(entry, dict) else None
            pol = self.store.managed_policy(arn) if isinstance(arn, str) else None
            if pol is None:
                raise STSValidationError(f"Policy {arn} does not exist or is not attachable.")
            docs.append(pol.document)
        return docs

    @operation("AssumeRole")
    def assume_role(self, request: dict[str, Any]) -> dict[str, Any]:
        store = self.store
        role_arn = request.get("RoleArn")
        session = request.get("RoleSessionName")
        if not isinstance(role_arn, str) or len(role_arn) < 20:
            raise STSValidationError(f"1 validation error detected: Value '{role_arn}' at 'roleArn' failed to "
                                     "satisfy constraint: Member must have length greater than or equal to 20")
        if isinstance(session, str) and len(session) < 2:
            raise STSValidationError(f"1 validation error detected: Value '{session}' at 'roleSessionName' failed "
                                     "to satisfy constraint: Member must have length greater than or equal to 2")
        if isinstance(session, str) and len(session) > 64:
            raise STSValidationError(f"1 validation error detected: Value '{session}' at 'roleSessionName' failed "
                                     "to satisfy constraint: Member must have length less than or equal to 64")
        if not isinstance(session, str) or not _SESSION_NAME.fullmatch(session):
            raise STSValidationError(f"1 validation error detected: Value '{session}' at 'roleSessionName' failed "
                                     "to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
        caller = store.current_caller()
        duration = self._duration(request, 3600, 900, 43200)
        role = store.role_by_arn(role_arn)
        denied = STSAccessDenied(f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on "
                                 f"resource: {role_arn}")
        if role is None:
            raise denied
        if duration > role.max_session_s:
            raise STSValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        if caller.kind == "assumed-role" and duration > 3600:
            raise STSValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles "
                                     "assumed by role chaining.")
        docs = self._session_documents(request)
        ctx = dict(caller.context)
        ctx["sts:rolesessionname"] = session
        if isinstance(request.get("ExternalId"), str):
            ctx["sts:externalid"] = request["ExternalId"]
        allowed, exact = evaluate_trust(role.trust, principal_ids(store, caller), "sts:AssumeRole", role_arn, ctx)
        if not allowed:
            raise denied
        if not caller.is_root and not exact and caller.decide("sts:AssumeRole", role_arn, ctx) != ALLOW:
            raise denied
        principal = store.role_session(role_arn, session, session_documents=docs,
                                       source_identity=request.get("SourceIdentity"))
        cred = store.issue_session_credentials(principal, duration)
        out: dict[str, Any] = {"Credentials": cred.sts_shape(),
                               "AssumedRoleUser": {"AssumedRoleId": principal.user_id, "Arn": principal.arn}}
        if request.get("Policy") is not None:
            out["PackedPolicySize"] = len(request["Policy"]) * 100 // PACKED_POLICY_CHARS
        if request.get("SourceIdentity"):
            out["SourceIdentity"] = request["SourceIdentity"]
        return out

    @operation("GetSessionToken")
    def get_session_token(self, request: dict[str, Any]) -> dict[str, Any]:
        store = self.store
        caller = store.current_caller()
        duration = self._duration(request, 43200, 900, 129600)
        if caller.kind == "assumed-role":
            raise STSAccessDenied("Cannot call GetSessionToken with session credentials")
        if caller.kind == "user":
            user = store.users.get(caller.name)
            principal = store.user_principal(user) if user is not None else caller
        else:
            principal = caller
            duration = min(duration, 3600)  # root sessions last at most one hour
        cred = store.issue_session_credentials(principal, duration)
        return {"Credentials": cred.sts_shape()}
