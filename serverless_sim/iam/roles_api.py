"""IAM roles: CreateRole, GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy, UpdateRole,
inline role policies (PutRolePolicy, GetRolePolicy, ListRolePolicies, DeleteRolePolicy),
attached managed policies (AttachRolePolicy, DetachRolePolicy, ListAttachedRolePolicies),
permissions boundaries and tags.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html and siblings. Quotas
modelled: 10 managed policies per role (AWS's default), inline role policies 10,240 characters
in aggregate, trust policy 2,048 characters; MaxSessionDuration 3,600-43,200 seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .common import check_name, check_path, page, policy_document, tags_of
from .errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity, ValidationError
from .store import Role

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .store import IdentityStore, ManagedPolicy

MANAGED_PER_ROLE = 10
INLINE_ROLE_CHARS = 10_240
TRUST_CHARS = 2_048


def _size(doc_text: Any) -> int:
    import json

    text = doc_text if isinstance(doc_text, str) else json.dumps(doc_text)
    return sum(1 for ch in text if not ch.isspace())


class RoleOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        store: IdentityStore
        def _require_policy(self, arn: Any) -> ManagedPolicy: ...

    def _role(self, name: Any) -> Role:
        check_name(name, "roleName")
        role = self.store.roles.get(name)
        if role is None:
            raise NoSuchEntity(f"The role with name {name} cannot be found.")
        return role

    @operation("CreateRole")
    def create_role(self, request: dict[str, Any]) -> dict[str, Any]:
        name = check_name(request.get("RoleName"), "roleName")
        path = check_path(request.get("Path"))
        trust_text = request.get("AssumeRolePolicyDocument")
        trust = policy_document(trust_text, "trust")
        if _size(trust_text) > TRUST_CHARS:
            raise LimitExceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_CHARS}")
        max_s = request.get("MaxSessionDuration", 3600)
        if not isinstance(max_s, int) or not 3600 <= max_s <= 43200:
            raise ValidationError(
                f"1 validation error detected: Value '{max_s}' at 'maxSessionDuration' failed to satisfy "
                "constraint: Member must have value " + ("greater than or equal to 3600" if isinstance(max_s, int) and max_s < 3600 else "less than or equal to 43200")
            )
        tags = tags_of(request)
        boundary = request.get("PermissionsBoundary")
        if boundary is not None:
            self._require_policy(boundary)
        store = self.store
        if name.lower() in {r.lower() for r in store.roles}:
            raise EntityAlreadyExists(f"Role with name {name} already exists.")
        role = Role(name, store.unique_id("AROA"), f"arn:aws:iam::{store.account}:role{path}{name}", path,
                    self.cloud.now_us, trust=trust, description=request.get("Description") or "",
                    max_session_s=max_s, tags=tags, boundary=boundary)
        store.roles[name] = role
        store.changed()
        return {"Role": role.shape()}

    @operation("GetRole")
    def get_role(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"Role": self._role(request.get("RoleName")).shape()}

    @operation("ListRoles")
    def list_roles(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("PathPrefix") or "/"
        roles = [r.shape() for _, r in sorted(self.store.roles.items()) if r.path.startswith(prefix)]
        for r in roles:
            r.pop("Tags", None)
        return page(roles, request, "Roles")

    @operation("UpdateRole")
    def update_role(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        max_s = request.get("MaxSessionDuration")
        if max_s is not None and (not isinstance(max_s, int) or not 3600 <= max_s <= 43200):
            raise ValidationError(f"1 validation error detected: Value '{max_s}' at 'maxSessionDuration' "
                                  "failed to satisfy constraint: Member must have value less than or equal to 43200")
        if "Description" in request:
            role.description = request["Description"] or ""
        if max_s is not None:
            role.max_session_s = max_s
        self.store.changed()
        return {}

    @operation("DeleteRole")
    def delete_role(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        if role.inline:
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if role.attached:
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        del self.store.roles[role.name]
        self.store.changed()
        return {}

    @operation("UpdateAssumeRolePolicy")
    def update_assume_role_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        text = request.get("PolicyDocument")
        trust = policy_document(text, "trust")
        if _size(text) > TRUST_CHARS:
            raise LimitExceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_CHARS}")
        role.trust = trust
        self.store.changed()
        return {}

    # -- inline policies ----------------------------------------------------------------
    @operation("PutRolePolicy")
    def put_role_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        pname = check_name(request.get("PolicyName"), "policyName", 128)
        text = request.get("PolicyDocument")
        doc = policy_document(text)
        total = _size(text) + sum(_size(d) for n, d in role.inline.items() if n != pname)
        if total > INLINE_ROLE_CHARS:
            raise LimitExceeded(f"Maximum policy size of {INLINE_ROLE_CHARS} bytes exceeded for role {role.name}")
        role.inline[pname] = doc
        self.store.changed()
        return {}

    @operation("GetRolePolicy")
    def get_role_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        pname = check_name(request.get("PolicyName"), "policyName", 128)
        doc = role.inline.get(pname)
        if doc is None:
            raise NoSuchEntity(f"The role policy with name {pname} cannot be found.")
        return {"RoleName": role.name, "PolicyName": pname, "PolicyDocument": doc}

    @operation("ListRolePolicies")
    def list_role_policies(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        return page(sorted(role.inline), request, "PolicyNames")

    @operation("DeleteRolePolicy")
    def delete_role_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        pname = check_name(request.get("PolicyName"), "policyName", 128)
        if pname not in role.inline:
            raise NoSuchEntity(f"The role policy with name {pname} cannot be found.")
        del role.inline[pname]
        self.store.changed()
        return {}

    # -- managed policies ---------------------------------------------------------------
    @operation("AttachRolePolicy")
    def attach_role_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        pol = self._require_policy(request.get("PolicyArn"))
        if pol.arn not in role.attached:
            if len(role.attached) >= MANAGED_PER_ROLE:
                raise LimitExceeded(f"Cannot exceed quota for PoliciesPerRole: {MANAGED_PER_ROLE}")
            role.attached.append(pol.arn)
            pol.attachments += 1
            self.store.changed()
        return {}

    @operation("DetachRolePolicy")
    def detach_role_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        arn = request.get("PolicyArn")
        if arn not in role.attached:
            raise NoSuchEntity(f"Policy {arn} was not found.")
        role.attached.remove(arn)
        pol = self.store.managed_policy(arn)
        if pol is not None:
            pol.attachments -= 1
        self.store.changed()
        return {}

    @operation("ListAttachedRolePolicies")
    def list_attached_role_policies(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        items = [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in role.attached]
        return page(items, request, "AttachedPolicies")

    @operation("PutRolePermissionsBoundary")
    def put_role_permissions_boundary(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        role.boundary = self._require_policy(request.get("PermissionsBoundary")).arn
        self.store.changed()
        return {}

    @operation("DeleteRolePermissionsBoundary")
    def delete_role_permissions_boundary(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        role.boundary = None
        self.store.changed()
        return {}

    @operation("TagRole")
    def tag_role(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        role.tags.update(tags_of(request))
        self.store.changed()
        return {}

    @operation("UntagRole")
    def untag_role(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        for k in request.get("TagKeys") or []:
            role.tags.pop(k, None)
        self.store.changed()
        return {}

    @operation("ListRoleTags")
    def list_role_tags(self, request: dict[str, Any]) -> dict[str, Any]:
        role = self._role(request.get("RoleName"))
        return page([{"Key": k, "Value": v} for k, v in role.tags.items()], request, "Tags")
