"""Amazon Cognito user pools of one Cloud (boto3's ``cognito-idp``).

https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/

Wire operations: pools and app clients in :mod:`.pools_api`, users in :mod:`.users_api`,
sign-in and tokens in :mod:`.auth_api`, groups in :mod:`.groups_api`; Lambda triggers in
:mod:`.triggers`; JWT/JWKS in :mod:`.tokens`. The Pythonic helpers for tests are in
:mod:`.native` (``last_code``, ``jwks``, ``sign_up_and_confirm``...).

Configuration: :class:`CognitoConfig` (``key_bits``: RSA key size of the pools' signing keys,
2,048 as AWS; 1,024 makes faster test keys).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.service import Service
from .auth_api import AuthOps
from .crypto import RsaKey
from .errors import IDP_ERRORS
from .groups_api import GroupOps
from .native import NativeAPI
from .pools import UserPool
from .pools_api import PoolOps
from .tokens import pool_keys
from .users_api import UserOps

if TYPE_CHECKING:
    from ..cloud import Cloud


@attrs.define
class CognitoConfig:
    #: RSA modulus size of each pool's two signing keys (AWS: 2,048).
    key_bits: int = 2048
    #: Users per pool before LimitExceededException (AWS's default quota is far higher; this
    #: bounds runaway simulations).
    max_users_per_pool: int = 1_000_000


class CognitoIdentityProvider(PoolOps, UserOps, AuthOps, GroupOps, NativeAPI, Service):
    """Amazon Cognito user pools."""

    service_name = "cognito-idp"
    errors = IDP_ERRORS

    def __init__(self, cloud: "Cloud", config: CognitoConfig | None = None) -> None:
        super().__init__(cloud)
        self.config = config if config is not None else CognitoConfig()
        self.region = cloud.region
        self.pools: dict[str, UserPool] = {}
        self._client_index: dict[str, str] = {}
        #: Every code and temporary password "sent" (no mail leaves the simulator), in order.
        self.outbox: list[dict[str, Any]] = []

    def keys(self, pool: UserPool) -> tuple[RsaKey, RsaKey]:
        """(ID-token key, access-token key) of ``pool``."""
        return pool_keys(self.cloud, pool.pool_id, self.config.key_bits)

    def _check(self) -> None:
        """Internal invariants (tests call this after mutations)."""
        for cid, pid in self._client_index.items():
            assert cid in self.pools[pid].clients, cid
        for pool in self.pools.values():
            for cid in pool.clients:
                assert self._client_index[cid] == pool.pool_id, cid
            subs = [u.sub for u in pool.users.values()]
            assert len(set(subs)) == len(subs), pool.pool_id
            for key, user in pool.users.items():
                assert key == pool.key(user.username) and user.attributes.get("sub") == user.sub, key
                assert user.status in ("UNCONFIRMED", "CONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED")
                for g in user.groups:
                    assert user.username in pool.groups[g].members, (user.username, g)
            for group in pool.groups.values():
                for u in group.members:
                    assert group.name in pool.users[pool.key(u)].groups, (u, group.name)
            for rs in pool.refresh.values():
                if not rs.revoked and pool.key(rs.username) in pool.users:
                    assert rs.origin_jti in pool.users[pool.key(rs.username)].sessions or rs.origin_jti in pool.revoked

    def __repr__(self) -> str:
        return f"<CognitoIdentityProvider pools={len(self.pools)}>"
