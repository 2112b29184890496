"""The identity store of one Cloud: IAM entities, credentials and principals.

Shared by the ``iam`` and ``sts`` services, Cognito identity pools and the enforcement hook
(it lives on the ``iam`` service: ``cloud.service("iam").store``). Every change to an entity or a
policy bumps :attr:`IdentityStore.generation`, which invalidates the principals' compiled
policies and decision caches (so a policy change takes effect on the next call, as IAM's does
after propagation; the simulator propagates at once).

Identifiers come from the Cloud's random streams (``iam/ids``, ``sts/credentials``): unique ids
are a 4-letter prefix and 17 characters (``AROA``: role, ``AIDA``: user, ``AGPA``: group,
``ANPA``: managed policy), access key ids ``AKIA``/``ASIA`` and 16 characters, secrets 40.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import attrs

from ..kernel.clock import us_to_datetime
from .conditions import TIME_KEYS
from .evaluate import ALLOW, PolicySet
from .managed import AWS_MANAGED
from .policy import Statement, compile_statements, parse_document

if TYPE_CHECKING:
    from ..cloud import Cloud

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


@attrs.define(eq=False)
class ManagedPolicy:
    name: str
    policy_id: str
    arn: str
    path: str
    description: str
    create_us: int
    #: version id -> (document, create_us)
    versions: dict[str, tuple[dict[str, Any], int]]
    default_version: str = "v1"
    next_version: int = 2
    attachments: int = 0
    aws_managed: bool = False
    tags: dict[str, str] = attrs.Factory(dict)
    update_us: int = 0

    @property
    def document(self) -> dict[str, Any]:
        return self.versions[self.default_version][0]

    def shape(self) -> dict[str, Any]:
        return {
            "PolicyName": self.name, "PolicyId": self.policy_id, "Arn": self.arn, "Path": self.path,
            "DefaultVersionId": self.default_version, "AttachmentCount": self.attachments,
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "CreateDate": us_to_datetime(self.create_us), "UpdateDate": us_to_datetime(self.update_us or self.create_us),
            **({"Description": self.description} if self.description else {}),
        }


@attrs.define(eq=False)
class Entity:
    """What roles, users and groups share: inline and attached policies, a boundary, tags."""

    name: str
    unique_id: str
    arn: str
    path: str
    create_us: int
    #: inline policy name -> document
    inline: dict[str, dict[str, Any]] = attrs.Factory(dict)
    #: attached managed policy ARNs, in attach order
    attached: list[str] = attrs.Factory(list)
    boundary: str | None = None
    tags: dict[str, str] = attrs.Factory(dict)


@attrs.define(eq=False)
class Role(Entity):
    trust: dict[str, Any] = attrs.Factory(dict)
    description: str = ""
    max_session_s: int = 3600

    def shape(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Path": self.path, "RoleName": self.name, "RoleId": self.unique_id, "Arn": self.arn,
            "CreateDate": us_to_datetime(self.create_us), "AssumeRolePolicyDocument": self.trust,
            "MaxSessionDuration": self.max_session_s,
        }
        if self.description:
            out["Description"] = self.description
        if self.boundary:
            out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                          "PermissionsBoundaryArn": self.boundary}
        if self.tags:
            out["Tags"] = [{"Key": k, "Value": v} for k, v in self.tags.items()]
        return out


@attrs.define(eq=False)
class User(Entity):
    groups: list[str] = attrs.Factory(list)
    keys: list[str] = attrs.Factory(list)

    def shape(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Path": self.path, "UserName": self.name, "UserId": self.unique_id,
                               "Arn": self.arn, "CreateDate": us_to_datetime(self.create_us)}
        if self.boundary:
            out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                          "PermissionsBoundaryArn": self.boundary}
        if self.tags:
            out["Tags"] = [{"Key": k, "Value": v} for k, v in self.tags.items()]
        return out


@attrs.define(eq=False)
class Group(Entity):
    members: list[str] = attrs.Factory(list)

    def shape(self) -> dict[str, Any]:
        return {"Path": self.path, "GroupName": self.name, "GroupId": self.unique_id,
                "Arn": self.arn, "CreateDate": us_to_datetime(self.create_us)}


@attrs.define(eq=False)
class Credential:
    """An access key: a user's long-term key (``AKIA``) or a session's temporary one (``ASIA``)."""

    access_key_id: str
    secret: str
    principal: "Principal | None"
    create_us: int
    session_token: str | None = None
    expires_us: int | None = None
    user_name: str | None = None
    status: str = "Active"

    def as_dict(self) -> dict[str, Any]:
        """The shape of GetCredentialsForIdentity (``SecretKey``) and of ``cloud.client(...,
        credentials=...)``."""
        out: dict[str, Any] = {"AccessKeyId": self.access_key_id, "SecretKey": self.secret}
        if self.session_token is not None:
            out["SessionToken"] = self.session_token
        if self.expires_us is not None:
            out["Expiration"] = us_to_datetime(self.expires_us)
        return out

    def sts_shape(self) -> dict[str, Any]:
        """The shape of STS's ``Credentials`` (``SecretAccessKey``)."""
        return {"AccessKeyId": self.access_key_id, "SecretAccessKey": self.secret,
                "SessionToken": self.session_token,
                "Expiration": us_to_datetime(self.expires_us or 0)}


class Principal:
    """Who makes a request: the account root, an IAM user, or an assumed-role session.

    ``context`` holds the principal's condition keys (lower case): ``aws:username``,
    ``aws:userid``, ``aws:principalarn``, ``aws:principaltype``, ``aws:principalaccount``,
    ``aws:principaltag/<k>``, web-identity keys such as ``cognito-identity.amazonaws.com:sub``...
    Its compiled policies and decisions are cached until the store's generation changes.
    """

    __slots__ = ("store", "kind", "arn", "user_id", "name", "session_name", "role_arn", "context",
                 "session_documents", "issued_us", "_gen", "_policies", "_decisions", "_request_keys",
                 "_allowed")

    def __init__(self, store: "IdentityStore", kind: str, arn: str, user_id: str, name: str,
                 *, session_name: str | None = None, role_arn: str | None = None,
                 context: Mapping[str, Any] | None = None,
                 session_documents: list[dict[str, Any]] | None = None, issued_us: int = 0) -> None:
        self.store = store
        self.kind = kind
        self.arn = arn
        self.user_id = user_id
        self.name = name
        self.session_name = session_name
        self.role_arn = role_arn
        self.session_documents = session_documents
        self.issued_us = issued_us
        self.context: dict[str, Any] = dict(context or {})
        self._gen = -1
        self._policies: PolicySet | None = None
        self._decisions: dict[Any, str] = {}
        #: (operation, resource members) already allowed (see iam.enforce's fast path)
        self._allowed: set[Any] = set()
        self._request_keys: tuple[str, ...] = ()

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    def __repr__(self) -> str:
        return f"<Principal {self.arn}>"

    # -- policies -----------------------------------------------------------------------
    def _lookup(self, name: str) -> str | None:
        v = self.context.get(name)
        return v if isinstance(v, str) else None

    def policies(self) -> PolicySet:
        """The compiled policies (rebuilt when IAM changed since last time)."""
        store = self.store
        if self._gen != store.generation or self._policies is None:
            self._refresh_context()
            lookup = self._lookup
            identity: list[Statement] = []
            boundary: list[Statement] | None = None
            for doc in store.identity_documents(self):
                identity.extend(compile_statements(doc, lookup))
            bdoc = store.boundary_document(self)
            if bdoc is not None:
                boundary = compile_statements(bdoc, lookup)
            session: list[Statement] | None = None
            if self.session_documents is not None:
                session = []
                for doc in self.session_documents:
                    session.extend(compile_statements(doc, lookup))
            ps = PolicySet(identity, boundary, session)
            self._policies = ps
            self._decisions = {}
            self._allowed = set()
            self._request_keys = tuple(sorted(k for k in ps.keys if k not in self.context and k not in TIME_KEYS))
            self._gen = store.generation
        return self._policies

    def _refresh_context(self) -> None:
        """Principal tags can change (TagRole/TagUser): re-read them."""
        entity = self.store.entity_of(self)
        for k in [k for k in self.context if k.startswith("aws:principaltag/")]:
            del self.context[k]
        if entity is not None:
            for k, v in entity.tags.items():
                self.context[f"aws:principaltag/{k.lower()}"] = v

    def decide(self, action: str, resource: str,
               request: Callable[[], Mapping[str, Any]] | Mapping[str, Any] | None = None) -> str:
        """``"Allow"`` or the reason of the denial (see :mod:`.evaluate`); root is always
        allowed. ``request`` gives the request's condition keys (a mapping, or a callable made
        only when the policies read such keys)."""
        if self.kind == "root":
            return ALLOW
        ps = self._policies
        if ps is None or self._gen != self.store.generation:
            ps = self.policies()
        rkeys = self._request_keys
        if not rkeys and not ps.time_dependent:
            key: Any = (action, resource)
            hit = self._decisions.get(key)
            if hit is not None:
                return hit
            result = ps.decide(action, resource, self.context)
            if len(self._decisions) >= 10_000:
                self._decisions.clear()
            self._decisions[key] = result
            return result
        extra = request() if callable(request) else request
        get = extra.get if extra is not None else _none
        ctx: dict[str, Any]
        if ps.wildcard_keys:  # some keys are only known per request: the whole context, no cache
            ctx = dict(self.context)
            if extra is not None:
                ctx.update(extra.items())
            self._add_time(ctx)
            return ps.decide(action, resource, ctx)
        values = [get(k) for k in rkeys]
        key = (action, resource, tuple(_hashable(v) for v in values))
        if ps.time_dependent:  # aws:CurrentTime has one-second resolution
            key = (key, self.store.cloud.clock.now_us // 1_000_000)
        hit = self._decisions.get(key)
        if hit is None:
            ctx = dict(self.context)
            for k, v in zip(rkeys, values):
                if v is not None:
                    ctx[k] = v
            if ps.time_dependent:
                self._add_time(ctx)
            hit = ps.decide(action, resource, ctx)
            decisions = self._decisions
            if len(decisions) >= 10_000:
                decisions.clear()
            decisions[key] = hit
        return hit

    def _add_time(self, ctx: dict[str, Any]) -> None:
        now = self.store.cloud.clock.now_us
        ctx.setdefault("aws:currenttime", _iso(now))
        ctx.setdefault("aws:epochtime", str(now // 1_000_000))


def _none(_key: str) -> None:
    return None


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _iso(us: int) -> str:
    return us_to_datetime(us).strftime("%Y-%m-%dT%H:%M:%SZ")


class IdentityStore:
    """IAM's entities and every credential of one Cloud."""

    def __init__(self, cloud: "Cloud") -> None:
        self.cloud = cloud
        self.account = cloud.account_id
        self.roles: dict[str, Role] = {}
        self.users: dict[str, User] = {}
        self.groups: dict[str, Group] = {}
        #: customer managed policies by ARN (AWS managed ones are made on first use)
        self.policies: dict[str, ManagedPolicy] = {}
        self.credentials: dict[str, Credential] = {}
        self.generation = 0
        #: Principals of the calls being served (innermost last): who GetCallerIdentity names.
        self.callers: list[Principal] = []
        #: Principals that uncredentialed calls run as when enforcement is on (``run_as``).
        self.ambient: list[Principal] = []
        #: (role ARN, session name) -> the session principal ``run_as`` reuses
        self.run_as_sessions: dict[tuple[str, str], Principal] = {}
        self.root = Principal(self, "root", f"arn:aws:iam::{self.account}:root", self.account,
                              "root", context=self._base_context("Account", f"arn:aws:iam::{self.account}:root"))

    def changed(self) -> None:
        self.generation += 1

    # -- ids ----------------------------------------------------------------------------
    def unique_id(self, prefix: str) -> str:
        rng = self.cloud.rng("iam/ids")
        return prefix + "".join(rng.choice(_ID_CHARS) for _ in range(17))

    def access_key_id(self, prefix: str) -> str:
        rng = self.cloud.rng("sts/credentials")
        while True:
            akid = prefix + "".join(rng.choice(_UPPER) for _ in range(16))
            if akid not in self.credentials:
                return akid

    def secret(self) -> str:
        rng = self.cloud.rng("sts/credentials")
        return "".join(rng.choice(_SECRET_CHARS) for _ in range(40))

    def session_token(self) -> str:
        rng = self.cloud.rng("sts/credentials")
        return "FwoGZXIvYXdzE" + "".join(rng.choice(_SECRET_CHARS) for _ in range(343))

    # -- lookups ------------------------------------------------------------------------
    def managed_policy(self, arn: str) -> ManagedPolicy | None:
        pol = self.policies.get(arn)
        if pol is None and arn.startswith("arn:aws:iam::aws:policy/"):
            name = arn.rsplit("/", 1)[-1]
            spec = AWS_MANAGED.get(name)
            if spec is not None and arn == f"arn:aws:iam::aws:policy{spec[0]}{name}":
                pol = ManagedPolicy(name, "ANPA" + name.upper()[:17].ljust(17, "X"), arn, spec[0], "",
                                    self.cloud.start_us, {"v1": (spec[1], self.cloud.start_us)},
                                    aws_managed=True)
                self.policies[arn] = pol
        return pol

    def role_by_arn(self, arn: str) -> Role | None:
        name = arn.rsplit("/", 1)[-1] if ":role/" in arn else None
        if name is None:
            return None
        role = self.roles.get(name)
        return role if role is not None and role.arn == arn else None

    def entity_of(self, principal: Principal) -> Entity | None:
        if principal.kind == "user":
            return self.users.get(principal.name)
        if principal.kind == "assumed-role" and principal.role_arn:
            return self.role_by_arn(principal.role_arn)
        return None

    def _entity_documents(self, entity: Entity) -> Iterable[dict[str, Any]]:
        for name in sorted(entity.inline):
            yield entity.inline[name]
        for arn in entity.attached:
            pol = self.managed_policy(arn)
            if pol is not None:
                yield pol.document

    def identity_documents(self, principal: Principal) -> list[dict[str, Any]]:
        entity = self.entity_of(principal)
        if entity is None:
            return []
        docs = list(self._entity_documents(entity))
        if isinstance(entity, User):
            for g in entity.groups:
                group = self.groups.get(g)
                if group is not None:
                    docs.extend(self._entity_documents(group))
        return docs

    def boundary_document(self, principal: Principal) -> dict[str, Any] | None:
        entity = self.entity_of(principal)
        if entity is None or entity.boundary is None:
            return None
        pol = self.managed_policy(entity.boundary)
        return pol.document if pol is not None else {"Version": "2012-10-17", "Statement": []}

    # -- principals -----------------------------------------------------------------------
    def _base_context(self, ptype: str, principal_arn: str) -> dict[str, Any]:
        return {
            "aws:principalaccount": self.account,
            "aws:principaltype": ptype,
            "aws:principalarn": principal_arn,
            "aws:securetransport": "true",
            "aws:requestedregion": self.cloud.region,
        }

    def user_principal(self, user: User) -> Principal:
        ctx = self._base_context("User", user.arn)
        ctx.update({"aws:username": user.name, "aws:userid": user.unique_id})
        return Principal(self, "user", user.arn, user.unique_id, user.name, context=ctx)

    def role_session(self, role_arn: str, session_name: str, *, issued_us: int | None = None,
                     session_documents: list[dict[str, Any]] | None = None,
                     extra_context: Mapping[str, Any] | None = None,
                     source_identity: str | None = None) -> Principal:
        """An assumed-role session principal (``arn:aws:sts::<acct>:assumed-role/<role>/<session>``);
        its policies are the role's. A role that does not exist gives a principal with no
        permissions."""
        role = self.role_by_arn(role_arn)
        role_name = role_arn.rsplit("/", 1)[-1]
        role_id = role.unique_id if role is not None else "AROA" + "X" * 17
        arn = f"arn:aws:sts::{self.account}:assumed-role/{role_name}/{session_name}"
        ctx = self._base_context("AssumedRole", role_arn)
        issued = self.cloud.now_us if issued_us is None else issued_us
        ctx.update({"aws:userid": f"{role_id}:{session_name}", "aws:tokenissuetime": _iso(issued),
                    "aws:multifactorauthpresent": "false"})
        if source_identity:
            ctx["aws:sourceidentity"] = source_identity
        if extra_context:
            ctx.update({k.lower(): v for k, v in extra_context.items()})
        return Principal(self, "assumed-role", arn, f"{role_id}:{session_name}", role_name,
                         session_name=session_name, role_arn=role_arn, context=ctx,
                         session_documents=session_documents, issued_us=issued)

    def issue_session_credentials(self, principal: Principal, duration_s: int) -> Credential:
        now = self.cloud.now_us
        cred = Credential(self.access_key_id("ASIA"), self.secret(), principal, now,
                          session_token=self.session_token(), expires_us=now + duration_s * 1_000_000)
        self.credentials[cred.access_key_id] = cred
        return cred

    def current_caller(self) -> Principal:
        if self.callers:
            return self.callers[-1]
        if self.ambient:
            return self.ambient[-1]
        return self.root

    def _check(self) -> None:
        """Internal invariants (tests call this after mutations)."""
        for user in self.users.values():
            for akid in user.keys:
                assert self.credentials[akid].user_name == user.name, akid
            for g in user.groups:
                assert user.name in self.groups[g].members, (user.name, g)
        for group in self.groups.values():
            for u in group.members:
                assert group.name in self.users[u].groups, (u, group.name)
        counts: dict[str, int] = {}
        for entity in [*self.roles.values(), *self.users.values(), *self.groups.values()]:
            assert len(set(entity.attached)) == len(entity.attached), entity.name
            for arn in entity.attached:
                counts[arn] = counts.get(arn, 0) + 1
        for arn, pol in self.policies.items():
            assert pol.attachments == counts.get(arn, 0), arn
            assert pol.default_version in pol.versions, arn
        for akid, cred in self.credentials.items():
            assert cred.access_key_id == akid
            assert (cred.user_name is not None) == akid.startswith("AKIA"), akid
        assert not self.callers, "a call left its caller on the stack"

    # -- documents ------------------------------------------------------------------------
    @staticmethod
    def parse(document: Any, kind: str = "identity") -> dict[str, Any]:
        return parse_document(document, kind)


def now_datetime(cloud: "Cloud") -> _dt.datetime:
    return us_to_datetime(cloud.now_us)
