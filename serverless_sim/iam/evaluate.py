"""AWS's policy evaluation logic for one account, over compiled policies.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html

A request (action, resource ARN, context) made by a principal is decided from the policies that
apply to it:

1. an explicit ``Deny`` in any of them (identity-based, permissions boundary, session policy)
   denies;
2. otherwise the identity-based policies must ``Allow`` it, and so must the permissions boundary
   (when the principal has one) and the session policy (when the session has one);
3. anything else is an implicit deny.

The result says which rule decided, since AWS's message names it ("... because no
identity-based policy allows the dynamodb:GetItem action", "... with an explicit deny in an
identity-based policy").

Deviations: resource-based policies (bucket, queue, function policies), SCPs and RCPs are not
consulted for service calls (a role's trust policy is, for AssumeRole); every principal is in the
Cloud's one account.

Complexity: statements are bucketed by service prefix, so a decision looks only at the
statements that name the action's service (and those with wildcard services or NotAction).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .conditions import TIME_KEYS, normalize_context
from .policy import Statement, condition_keys

ALLOW = "Allow"
#: Decisions: (allowed?, reason for AWS's message)
IMPLICIT_IDENTITY = "because no identity-based policy allows the {action} action"
EXPLICIT_IDENTITY = "with an explicit deny in an identity-based policy"
IMPLICIT_BOUNDARY = "because no permissions boundary allows the {action} action"
EXPLICIT_BOUNDARY = "with an explicit deny in a permissions boundary"
IMPLICIT_SESSION = "because no session policy allows the {action} action"
EXPLICIT_SESSION = "with an explicit deny in a session policy"


class StatementIndex:
    """Statements bucketed by the service prefix of their actions."""

    __slots__ = ("by_prefix", "anywhere", "statements")

    def __init__(self, statements: Sequence[Statement]) -> None:
        self.statements = list(statements)
        self.by_prefix: dict[str, list[Statement]] = {}
        self.anywhere: list[Statement] = []
        for st in statements:
            if st.prefixes is None:
                self.anywhere.append(st)
            else:
                for p in sorted(st.prefixes):
                    self.by_prefix.setdefault(p, []).append(st)

    def candidates(self, action: str) -> tuple[list[Statement], list[Statement]]:
        prefix = action.split(":", 1)[0].lower()
        return self.by_prefix.get(prefix, _EMPTY), self.anywhere

    def decide(self, action: str, resource: str, ctx: Mapping[str, Any]) -> int:
        """1 allow, 0 no statement applies, -1 explicit deny."""
        allowed = 0
        for group in self.candidates(action):
            for st in group:
                if st.applies(action, resource, ctx):
                    if st.deny:
                        return -1
                    allowed = 1
        return allowed


_EMPTY: list[Statement] = []


class PolicySet:
    """Everything that decides a principal's requests, compiled.

    ``identity``: the principal's identity-based statements (inline and managed, and its
    groups'); ``boundary``: its permissions boundary (or None); ``session``: the session policy
    of an assumed-role session (or None).
    """

    __slots__ = ("identity", "boundary", "session", "keys", "time_dependent", "wildcard_keys")

    def __init__(self, identity: Sequence[Statement], boundary: Sequence[Statement] | None = None,
                 session: Sequence[Statement] | None = None) -> None:
        self.identity = StatementIndex(identity)
        self.boundary = StatementIndex(boundary) if boundary is not None else None
        self.session = StatementIndex(session) if session is not None else None
        keys = set(condition_keys(identity))
        if boundary is not None:
            keys |= condition_keys(boundary)
        if session is not None:
            keys |= condition_keys(session)
        #: Condition keys the policies read (lower case); "*" if some are only known per request.
        self.wildcard_keys = "*" in keys
        keys.discard("*")
        self.keys = frozenset(keys)
        self.time_dependent = bool(self.keys & TIME_KEYS) or self.wildcard_keys

    def decide(self, action: str, resource: str, ctx: Mapping[str, Any]) -> str:
        """``"Allow"`` or the reason of the denial (a template over ``{action}``)."""
        ident = self.identity.decide(action, resource, ctx)
        if ident < 0:
            return EXPLICIT_IDENTITY
        b = self.boundary.decide(action, resource, ctx) if self.boundary is not None else 1
        if b < 0:
            return EXPLICIT_BOUNDARY
        s = self.session.decide(action, resource, ctx) if self.session is not None else 1
        if s < 0:
            return EXPLICIT_SESSION
        if ident == 0:
            return IMPLICIT_IDENTITY
        if b == 0:
            return IMPLICIT_BOUNDARY
        if s == 0:
            return IMPLICIT_SESSION
        return ALLOW


def denial_message(principal_arn: str, action: str, resource: str, reason: str) -> str:
    """AWS's AccessDenied wording."""
    return (f"User: {principal_arn} is not authorized to perform: {action} on resource: {resource} "
            + reason.format(action=action))


def evaluate(documents: Sequence[Mapping[str, Any]], action: str, resource: str,
             context: Mapping[str, Any] | None = None) -> str:
    """Decide one request against identity policy documents (no principal needed): ``"Allow"``,
    ``"ExplicitDeny"`` or ``"ImplicitDeny"``. Context keys are case-insensitive; policy variables
    are read from the context. Convenient for tests and for checking a policy by hand."""
    from .policy import compile_statements, parse_document

    ctx = normalize_context(context)

    def lookup(name: str) -> str | None:
        v = ctx.get(name)
        return v if isinstance(v, str) else None

    stmts: list[Statement] = []
    for d in documents:
        stmts.extend(compile_statements(parse_document(d), lookup))
    r = StatementIndex(stmts).decide(action, resource, ctx)
    return "ExplicitDeny" if r < 0 else "Allow" if r > 0 else "ImplicitDeny"
