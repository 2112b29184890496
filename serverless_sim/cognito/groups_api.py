"""User pool groups: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup.

https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-user-groups.html:
a user's groups appear in both tokens' ``cognito:groups`` (ordered by Precedence, lower first);
groups with a RoleArn add ``cognito:roles`` and ``cognito:preferred_role`` (the role of the
group with the lowest precedence) to the ID token, which identity pools' token-based role
mapping uses. Group changes show in tokens issued afterwards.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .errors import GroupExistsException, InvalidParameterException, ResourceNotFoundException
from .pools import Group, UserPool
from .pools_api import page

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .pools import User

_GROUP = re.compile(r"[^\s]+")


def _listing(key: str, items: list[Any], request: dict[str, Any]) -> dict[str, Any]:
    """ListGroups, AdminListGroupsForUser, ListUsersInGroup: pages of ``Limit`` (0..60, 60 by
    default) resumed from ``NextToken``."""
    chunk, token = page(items, request, "Limit", "NextToken")
    out: dict[str, Any] = {key: [x.shape() for x in chunk]}
    if token is not None:
        out["NextToken"] = token
    return out


class GroupOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        def _groups_of(self, pool: UserPool, user: User) -> list[Any]: ...
        def _pool(self, pool_id: Any) -> UserPool: ...
        def _user(self, pool: UserPool, username: Any) -> User: ...

    def _group(self, pool: UserPool, name: Any) -> Group:
        group = pool.groups.get(name) if isinstance(name, str) else None
        if group is None:
            raise ResourceNotFoundException("Group not found.")
        return group

    @operation("CreateGroup")
    def create_group(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        name = request.get("GroupName")
        if not isinstance(name, str) or not 1 <= len(name) <= 128 or not _GROUP.fullmatch(name):
            raise InvalidParameterException(f"1 validation error detected: Value '{name}' at 'groupName' failed to "
                                            "satisfy constraint: Member must satisfy regular expression pattern: "
                                            "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
        precedence = request.get("Precedence")
        if precedence is not None and (not isinstance(precedence, int) or precedence < 0):
            raise InvalidParameterException(f"1 validation error detected: Value '{precedence}' at 'precedence' "
                                            "failed to satisfy constraint: Member must have value greater than or equal to 0")
        role = request.get("RoleArn")
        if role is not None and (not isinstance(role, str) or not role.startswith("arn:")):
            raise InvalidParameterException(f"1 validation error detected: Value '{role}' at 'roleArn' failed to "
                                            "satisfy constraint: Member must satisfy regular expression pattern: "
                                            "arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?")
        if name in pool.groups:
            raise GroupExistsException(f"A group with the name {name} already exists.")
        now = self.cloud.now_us
        group = Group(name, pool.pool_id, request.get("Description"), role, precedence, now, now)
        pool.groups[name] = group
        return {"Group": group.shape()}

    @operation("GetGroup")
    def get_group(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        return {"Group": self._group(pool, request.get("GroupName")).shape()}

    @operation("ListGroups")
    def list_groups(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        return _listing("Groups", [g for _, g in sorted(pool.groups.items())], request)

    @operation("UpdateGroup")
    def update_group(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        group = self._group(pool, request.get("GroupName"))
        for key, attr in (("Description", "description"), ("RoleArn", "role_arn"), ("Precedence", "precedence")):
            if key in request:
                setattr(group, attr, request[key])
        group.update_us = self.cloud.now_us
        return {"Group": group.shape()}

    @operation("DeleteGroup")
    def delete_group(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        group = self._group(pool, request.get("GroupName"))
        for username in group.members:
            user = pool.users.get(pool.key(username))
            if user is not None and group.name in user.groups:
                user.groups.remove(group.name)
        del pool.groups[group.name]
        return {}

    @operation("AdminAddUserToGroup")
    def admin_add_user_to_group(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        user = self._user(pool, request.get("Username"))
        group = self._group(pool, request.get("GroupName"))
        if group.name not in user.groups:
            user.groups.append(group.name)
            group.members.append(user.username)
        return {}

    @operation("AdminRemoveUserFromGroup")
    def admin_remove_user_from_group(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        user = self._user(pool, request.get("Username"))
        group = self._group(pool, request.get("GroupName"))
        if group.name in user.groups:
            user.groups.remove(group.name)
            group.members.remove(user.username)
        return {}

    @operation("AdminListGroupsForUser")
    def admin_list_groups_for_user(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        user = self._user(pool, request.get("Username"))
        return _listing("Groups", self._groups_of(pool, user), request)

    @operation("ListUsersInGroup")
    def list_users_in_group(self, request: dict[str, Any]) -> dict[str, Any]:
        pool = self._pool(request.get("UserPoolId"))
        group = self._group(pool, request.get("GroupName"))
        users = [pool.users[pool.key(u)] for u in group.members if pool.key(u) in pool.users]
        return _listing("Users", users, request)
