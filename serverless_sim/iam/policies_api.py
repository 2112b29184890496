"""Managed policies: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy, CreatePolicyVersion,
GetPolicyVersion, ListPolicyVersions, SetDefaultPolicyVersion, DeletePolicyVersion, and
SimulatePrincipalPolicy / SimulateCustomPolicy over the simulator's evaluator.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html. A managed policy
has up to five versions; its document is at most 6,144 characters (whitespace not counted).
AWS managed policies (``arn:aws:iam::aws:policy/...``, see :mod:`.managed`) can be attached but
not changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.clock import us_to_datetime
from ..kernel.service import operation
from .common import check_name, check_path, page, policy_document, tags_of
from .errors import (DeleteConflict, EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity,
                     UnmodifiableEntity)
from .evaluate import ALLOW, EXPLICIT_BOUNDARY, EXPLICIT_IDENTITY, EXPLICIT_SESSION, PolicySet
from .policy import compile_statements
from .store import ManagedPolicy

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .store import IdentityStore

MANAGED_CHARS = 6_144
MAX_VERSIONS = 5


class PolicyOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        store: IdentityStore

    def _require_policy(self, arn: Any) -> ManagedPolicy:
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            raise InvalidInput(f"ARN {arn} is not valid.")
        pol = self.store.managed_policy(arn)
        if pol is None:
            raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
        return pol

    def _customer_policy(self, arn: Any) -> ManagedPolicy:
        pol = self._require_policy(arn)
        if pol.aws_managed:
            raise UnmodifiableEntity(f"Cannot modify AWS managed policy {arn}.")
        return pol

    @operation("CreatePolicy")
    def create_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        name = check_name(request.get("PolicyName"), "policyName", 128)
        path = check_path(request.get("Path"))
        doc = policy_document(request.get("PolicyDocument"), max_chars=MANAGED_CHARS)
        tags = tags_of(request)
        store = self.store
        arn = f"arn:aws:iam::{store.account}:policy{path}{name}"
        if any(p.name == name and not p.aws_managed for p in store.policies.values()):
            raise EntityAlreadyExists(f"A policy called {name} already exists. Duplicate names are not allowed.")
        now = self.cloud.now_us
        pol = ManagedPolicy(name, store.unique_id("ANPA"), arn, path, request.get("Description") or "", now,
                            {"v1": (doc, now)}, tags=tags, update_us=now)
        store.policies[arn] = pol
        store.changed()
        return {"Policy": pol.shape()}

    @operation("GetPolicy")
    def get_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"Policy": self._require_policy(request.get("PolicyArn")).shape()}

    @operation("ListPolicies")
    def list_policies(self, request: dict[str, Any]) -> dict[str, Any]:
        scope = request.get("Scope", "All")
        only_attached = bool(request.get("OnlyAttached"))
        prefix = request.get("PathPrefix") or "/"
        if scope in ("All", "AWS"):
            from .managed import AWS_MANAGED, aws_managed_arn

            for name in sorted(AWS_MANAGED):
                self.store.managed_policy(aws_managed_arn(name))
        items = []
        for arn in sorted(self.store.policies):
            p = self.store.policies[arn]
            if scope == "Local" and p.aws_managed or scope == "AWS" and not p.aws_managed:
                continue
            if only_attached and not p.attachments or not p.path.startswith(prefix):
                continue
            items.append(p.shape())
        return page(items, request, "Policies")

    @operation("DeletePolicy")
    def delete_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        pol = self._customer_policy(request.get("PolicyArn"))
        if pol.attachments:
            raise DeleteConflict("Cannot delete a policy attached to entities.")
        if len(pol.versions) > 1:
            raise DeleteConflict("This policy has more than one version. Before you delete a policy, "
                                 "you must delete the policy's versions. The default version is deleted "
                                 "with the policy.")
        del self.store.policies[pol.arn]
        self.store.changed()
        return {}

    @operation("CreatePolicyVersion")
    def create_policy_version(self, request: dict[str, Any]) -> dict[str, Any]:
        pol = self._customer_policy(request.get("PolicyArn"))
        doc = policy_document(request.get("PolicyDocument"), max_chars=MANAGED_CHARS)
        if len(pol.versions) >= MAX_VERSIONS:
            raise LimitExceeded("A managed policy can have up to 5 versions. Before you create a new version, "
                                "you must delete an existing version.")
        vid = f"v{pol.next_version}"
        pol.next_version += 1
        now = self.cloud.now_us
        pol.versions[vid] = (doc, now)
        pol.update_us = now
        if request.get("SetAsDefault"):
            pol.default_version = vid
        self.store.changed()
        return {"PolicyVersion": self._version_shape(pol, vid, with_document=False)}

    def _version_shape(self, pol: ManagedPolicy, vid: str, with_document: bool = True) -> dict[str, Any]:
        doc, created = pol.versions[vid]
        out: dict[str, Any] = {"VersionId": vid, "IsDefaultVersion": vid == pol.default_version,
                               "CreateDate": us_to_datetime(created)}
        if with_document:
            out["Document"] = doc
        return out

    def _version(self, pol: ManagedPolicy, vid: Any) -> str:
        if vid not in pol.versions:
            raise NoSuchEntity(f"Policy {pol.arn} version {vid} does not exist or is not attachable.")
        return str(vid)

    @operation("GetPolicyVersion")
    def get_policy_version(self, request: dict[str, Any]) -> dict[str, Any]:
        pol = self._require_policy(request.get("PolicyArn"))
        vid = self._version(pol, request.get("VersionId"))
        return {"PolicyVersion": self._version_shape(pol, vid)}

    @operation("ListPolicyVersions")
    def list_policy_versions(self, request: dict[str, Any]) -> dict[str, Any]:
        pol = self._require_policy(request.get("PolicyArn"))
        vids = sorted(pol.versions, key=lambda v: -int(v[1:]))
        return page([self._version_shape(pol, v, with_document=False) for v in vids], request, "Versions")

    @operation("SetDefaultPolicyVersion")
    def set_default_policy_version(self, request: dict[str, Any]) -> dict[str, Any]:
        pol = self._customer_policy(request.get("PolicyArn"))
        pol.default_version = self._version(pol, request.get("VersionId"))
        self.store.changed()
        return {}

    @operation("DeletePolicyVersion")
    def delete_policy_version(self, request: dict[str, Any]) -> dict[str, Any]:
        pol = self._customer_policy(request.get("PolicyArn"))
        vid = self._version(pol, request.get("VersionId"))
        if vid == pol.default_version:
            raise DeleteConflict("Cannot delete the default version of a policy.")
        del pol.versions[vid]
        self.store.changed()
        return {}

    # -- simulation ---------------------------------------------------------------------
    def _simulate(self, ps: PolicySet, request: dict[str, Any], base_ctx: dict[str, Any]) -> dict[str, Any]:
        from .conditions import normalize_context

        actions = request.get("ActionNames") or []
        resources = request.get("ResourceArns") or ["*"]
        ctx = dict(base_ctx)
        for entry in request.get("ContextEntries") or []:
            vals = entry.get("ContextKeyValues") or []
            multi = str(entry.get("ContextKeyType", "")).endswith("List")
            ctx.update(normalize_context({entry["ContextKeyName"]: vals if multi else (vals[0] if vals else None)}))
        results = []
        for action in actions:
            for res in resources:
                reason = ps.decide(action, res, ctx)
                decision = ("allowed" if reason == ALLOW else "explicitDeny"
                            if reason in (EXPLICIT_IDENTITY, EXPLICIT_BOUNDARY, EXPLICIT_SESSION) else "implicitDeny")
                results.append({"EvalActionName": action, "EvalResourceName": res, "EvalDecision": decision,
                                "MatchedStatements": [], "MissingContextValues": []})
        # Pages of MaxItems (100 by default) resumed from Marker, as every IAM list operation.
        return page(results, request, "EvaluationResults")

    @operation("SimulateCustomPolicy")
    def simulate_custom_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        docs = [policy_document(d) for d in request.get("PolicyInputList") or []]
        ctx: dict[str, Any] = {}
        lookup = lambda name: ctx.get(name) if isinstance(ctx.get(name), str) else None  # noqa: E731
        stmts = [s for d in docs for s in compile_statements(d, lookup)]
        return self._simulate(PolicySet(stmts), request, ctx)

    @operation("SimulatePrincipalPolicy")
    def simulate_principal_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request.get("PolicySourceArn")
        store = self.store
        principal = None
        if isinstance(arn, str) and ":user/" in arn:
            user = store.users.get(arn.rsplit("/", 1)[-1])
            if user is not None and user.arn == arn:
                principal = store.user_principal(user)
        elif isinstance(arn, str) and ":role/" in arn and store.role_by_arn(arn) is not None:
            principal = store.role_session(arn, "simulation")
        if principal is None:
            raise NoSuchEntity(f"Entity {arn} does not exist.")
        return self._simulate(principal.policies(), request, principal.context)
