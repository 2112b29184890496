"""IAM users, their access keys and groups: CreateUser, GetUser, ListUsers, DeleteUser,
CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey, CreateGroup, GetGroup,
AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser, DeleteGroup, and user and group inline
and attached policies.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html and siblings. Quotas:
two access keys per user; inline user policies 2,048 characters in aggregate, group 5,120;
10 managed policies per user or group. GetUser and CreateAccessKey without ``UserName`` act on
the calling user (an error for the root, which has no IAM user here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.clock import us_to_datetime
from ..kernel.service import operation
from .common import check_name, check_path, page, policy_document, tags_of
from .errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity, ValidationError
from .roles_api import _size
from .store import Credential, Entity, Group, User

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .store import IdentityStore, ManagedPolicy

KEYS_PER_USER = 2
INLINE_USER_CHARS = 2_048
INLINE_GROUP_CHARS = 5_120
MANAGED_PER_ENTITY = 10


class UserOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        store: IdentityStore
        def _require_policy(self, arn: Any) -> ManagedPolicy: ...

    def _user(self, name: Any) -> User:
        if name is None:
            caller = self.store.current_caller()
            if caller.kind == "user":
                name = caller.name
            else:
                raise ValidationError("Must specify userName when calling with non-User credentials")
        check_name(name, "userName")
        user = self.store.users.get(name)
        if user is None:
            raise NoSuchEntity(f"The user with name {name} cannot be found.")
        return user

    def _group(self, name: Any) -> Group:
        check_name(name, "groupName", 128)
        group = self.store.groups.get(name)
        if group is None:
            raise NoSuchEntity(f"The group with name {name} cannot be found.")
        return group

    @operation("CreateUser")
    def create_user(self, request: dict[str, Any]) -> dict[str, Any]:
        name = check_name(request.get("UserName"), "userName")
        path = check_path(request.get("Path"))
        tags = tags_of(request)
        boundary = request.get("PermissionsBoundary")
        if boundary is not None:
            self._require_policy(boundary)
        store = self.store
        if name.lower() in {u.lower() for u in store.users}:
            raise EntityAlreadyExists(f"User with name {name} already exists.")
        user = User(name, store.unique_id("AIDA"), f"arn:aws:iam::{store.account}:user{path}{name}", path,
                    self.cloud.now_us, tags=tags, boundary=boundary)
        store.users[name] = user
        store.changed()
        return {"User": user.shape()}

    @operation("GetUser")
    def get_user(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"User": self._user(request.get("UserName")).shape()}

    @operation("ListUsers")
    def list_users(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("PathPrefix") or "/"
        users = [u.shape() for _, u in sorted(self.store.users.items()) if u.path.startswith(prefix)]
        return page(users, request, "Users")

    @operation("DeleteUser")
    def delete_user(self, request: dict[str, Any]) -> dict[str, Any]:
        user = self._user(request.get("UserName"))
        if user.keys:
            raise DeleteConflict("Cannot delete entity, must delete access keys first.")
        if user.inline:
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if user.attached:
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        if user.groups:
            raise DeleteConflict("Cannot delete entity, must remove users from group first.")
        del self.store.users[user.name]
        self.store.changed()
        return {}

    @operation("TagUser")
    def tag_user(self, request: dict[str, Any]) -> dict[str, Any]:
        user = self._user(request.get("UserName"))
        user.tags.update(tags_of(request))
        self.store.changed()
        return {}

    # -- access keys --------------------------------------------------------------------
    @operation("CreateAccessKey")
    def create_access_key(self, request: dict[str, Any]) -> dict[str, Any]:
        user = self._user(request.get("UserName"))
        if len(user.keys) >= KEYS_PER_USER:
            raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}")
        store = self.store
        cred = Credential(store.access_key_id("AKIA"), store.secret(), None, self.cloud.now_us,
                          user_name=user.name)
        store.credentials[cred.access_key_id] = cred
        user.keys.append(cred.access_key_id)
        store.changed()
        return {"AccessKey": {"UserName": user.name, "AccessKeyId": cred.access_key_id, "Status": "Active",
                              "SecretAccessKey": cred.secret, "CreateDate": us_to_datetime(cred.create_us)}}

    def _key(self, user: User, akid: Any) -> Credential:
        cred = self.store.credentials.get(akid) if isinstance(akid, str) else None
        if cred is None or cred.user_name != user.name:
            raise NoSuchEntity(f"The Access Key with id {akid} cannot be found.")
        return cred

    @operation("ListAccessKeys")
    def list_access_keys(self, request: dict[str, Any]) -> dict[str, Any]:
        user = self._user(request.get("UserName"))
        creds = [self.store.credentials[k] for k in user.keys]
        items = [{"UserName": user.name, "AccessKeyId": c.access_key_id, "Status": c.status,
                  "CreateDate": us_to_datetime(c.create_us)} for c in creds]
        return page(items, request, "AccessKeyMetadata")

    @operation("UpdateAccessKey")
    def update_access_key(self, request: dict[str, Any]) -> dict[str, Any]:
        user = self._user(request.get("UserName"))
        status = request.get("Status")
        if status not in ("Active", "Inactive"):
            raise ValidationError(f"1 validation error detected: Value '{status}' at 'status' failed to satisfy "
                                  "constraint: Member must satisfy enum value set: [Active, Inactive]")
        self._key(user, request.get("AccessKeyId")).status = status
        self.store.changed()
        return {}

    @operation("DeleteAccessKey")
    def delete_access_key(self, request: dict[str, Any]) -> dict[str, Any]:
        user = self._user(request.get("UserName"))
        cred = self._key(user, request.get("AccessKeyId"))
        user.keys.remove(cred.access_key_id)
        del self.store.credentials[cred.access_key_id]
        self.store.changed()
        return {}

    # -- groups -------------------------------------------------------------------------
    @operation("CreateGroup")
    def create_group(self, request: dict[str, Any]) -> dict[str, Any]:
        name = check_name(request.get("GroupName"), "groupName", 128)
        path = check_path(request.get("Path"))
        store = self.store
        if name.lower() in {g.lower() for g in store.groups}:
            raise EntityAlreadyExists(f"Group with name {name} already exists.")
        group = Group(name, store.unique_id("AGPA"), f"arn:aws:iam::{store.account}:group{path}{name}", path,
                      self.cloud.now_us)
        store.groups[name] = group
        store.changed()
        return {"Group": group.shape()}

    @operation("GetGroup")
    def get_group(self, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(request.get("GroupName"))
        users = [self.store.users[u].shape() for u in group.members if u in self.store.users]
        out = page(users, request, "Users")
        out["Group"] = group.shape()
        return out

    @operation("ListGroups")
    def list_groups(self, request: dict[str, Any]) -> dict[str, Any]:
        return page([g.shape() for _, g in sorted(self.store.groups.items())], request, "Groups")

    @operation("AddUserToGroup")
    def add_user_to_group(self, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(request.get("GroupName"))
        user = self._user(request.get("UserName"))
        if user.name not in group.members:
            group.members.append(user.name)
            user.groups.append(group.name)
            self.store.changed()
        return {}

    @operation("RemoveUserFromGroup")
    def remove_user_from_group(self, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(request.get("GroupName"))
        user = self._user(request.get("UserName"))
        if user.name not in group.members:
            raise NoSuchEntity(f"The user with name {user.name} cannot be found.")
        group.members.remove(user.name)
        user.groups.remove(group.name)
        self.store.changed()
        return {}

    @operation("ListGroupsForUser")
    def list_groups_for_user(self, request: dict[str, Any]) -> dict[str, Any]:
        user = self._user(request.get("UserName"))
        return page([self.store.groups[g].shape() for g in user.groups], request, "Groups")

    @operation("DeleteGroup")
    def delete_group(self, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(request.get("GroupName"))
        if group.members:
            raise DeleteConflict("Cannot delete entity, must remove users from group first.")
        if group.inline:
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if group.attached:
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        del self.store.groups[group.name]
        self.store.changed()
        return {}

    # -- user and group policies ----------------------------------------------------------
    def _put_inline(self, entity: Entity, request: dict[str, Any], limit: int, what: str) -> None:
        pname = check_name(request.get("PolicyName"), "policyName", 128)
        text = request.get("PolicyDocument")
        doc = policy_document(text)
        total = _size(text) + sum(_size(d) for n, d in entity.inline.items() if n != pname)
        if total > limit:
            raise LimitExceeded(f"Maximum policy size of {limit} bytes exceeded for {what} {entity.name}")
        entity.inline[pname] = doc
        self.store.changed()

    def _get_inline(self, entity: Entity, request: dict[str, Any], what: str) -> tuple[str, dict[str, Any]]:
        pname = check_name(request.get("PolicyName"), "policyName", 128)
        doc = entity.inline.get(pname)
        if doc is None:
            raise NoSuchEntity(f"The {what} policy with name {pname} cannot be found.")
        return pname, doc

    def _attach(self, entity: Entity, request: dict[str, Any], quota: str) -> None:
        pol = self._require_policy(request.get("PolicyArn"))
        if pol.arn not in entity.attached:
            if len(entity.attached) >= MANAGED_PER_ENTITY:
                raise LimitExceeded(f"Cannot exceed quota for {quota}: {MANAGED_PER_ENTITY}")
            entity.attached.append(pol.arn)
            pol.attachments += 1
            self.store.changed()

    def _detach(self, entity: Entity, request: dict[str, Any]) -> None:
        arn = request.get("PolicyArn")
        if arn not in entity.attached:
            raise NoSuchEntity(f"Policy {arn} was not found.")
        entity.attached.remove(arn)
        pol = self.store.managed_policy(arn)
        if pol is not None:
            pol.attachments -= 1
        self.store.changed()

    @operation("PutUserPolicy")
    def put_user_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        self._put_inline(self._user(request.get("UserName")), request, INLINE_USER_CHARS, "user")
        return {}

    @operation("GetUserPolicy")
    def get_user_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        user = self._user(request.get("UserName"))
        name, doc = self._get_inline(user, request, "user")
        return {"UserName": user.name, "PolicyName": name, "PolicyDocument": doc}

    @operation("ListUserPolicies")
    def list_user_policies(self, request: dict[str, Any]) -> dict[str, Any]:
        return page(sorted(self._user(request.get("UserName")).inline), request, "PolicyNames")

    @operation("DeleteUserPolicy")
    def delete_user_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        user = self._user(request.get("UserName"))
        name, _ = self._get_inline(user, request, "user")
        del user.inline[name]
        self.store.changed()
        return {}

    @operation("AttachUserPolicy")
    def attach_user_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        self._attach(self._user(request.get("UserName")), request, "PoliciesPerUser")
        return {}

    @operation("DetachUserPolicy")
    def detach_user_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        self._detach(self._user(request.get("UserName")), request)
        return {}

    @operation("ListAttachedUserPolicies")
    def list_attached_user_policies(self, request: dict[str, Any]) -> dict[str, Any]:
        user = self._user(request.get("UserName"))
        items = [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in user.attached]
        return page(items, request, "AttachedPolicies")

    @operation("PutUserPermissionsBoundary")
    def put_user_permissions_boundary(self, request: dict[str, Any]) -> dict[str, Any]:
        user = self._user(request.get("UserName"))
        user.boundary = self._require_policy(request.get("PermissionsBoundary")).arn
        self.store.changed()
        return {}

    @operation("PutGroupPolicy")
    def put_group_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        self._put_inline(self._group(request.get("GroupName")), request, INLINE_GROUP_CHARS, "group")
        return {}

    @operation("GetGroupPolicy")
    def get_group_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(request.get("GroupName"))
        name, doc = self._get_inline(group, request, "group")
        return {"GroupName": group.name, "PolicyName": name, "PolicyDocument": doc}

    @operation("AttachGroupPolicy")
    def attach_group_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        self._attach(self._group(request.get("GroupName")), request, "PoliciesPerGroup")
        return {}

    @operation("DetachGroupPolicy")
    def detach_group_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        self._detach(self._group(request.get("GroupName")), request)
        return {}
