"""AWS Identity and Access Management of one Cloud (https://docs.aws.amazon.com/IAM/latest/APIReference/).

Wire operations: roles in :mod:`.roles_api`, users, access keys and groups in
:mod:`.users_api`, managed policies and the policy simulator in :mod:`.policies_api`. The state
(shared with STS, Cognito identity pools and enforcement) is :attr:`IAM.store`
(:class:`~.store.IdentityStore`). Policy documents come back as dicts, as boto3 returns them
(botocore decodes IAM's URL-encoded JSON).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kernel.service import Service
from .errors import ERRORS
from .policies_api import PolicyOps
from .roles_api import RoleOps
from .store import IdentityStore
from .users_api import UserOps

if TYPE_CHECKING:
    from ..cloud import Cloud


class IAM(RoleOps, UserOps, PolicyOps, Service):
    """AWS IAM: roles, users, groups, policies and access keys."""

    service_name = "iam"
    errors = ERRORS

    def __init__(self, cloud: "Cloud") -> None:
        super().__init__(cloud)
        self.store = IdentityStore(cloud)

    def __repr__(self) -> str:
        s = self.store
        return f"<IAM roles={len(s.roles)} users={len(s.users)} policies={len(s.policies)}>"


def store_of(cloud: "Cloud") -> IdentityStore:
    """The Cloud's identity store (creating the ``iam`` service on first use)."""
    svc = cloud.service("iam")
    return svc.store  # type: ignore[attr-defined, no-any-return]
