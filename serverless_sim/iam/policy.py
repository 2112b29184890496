"""The IAM policy language: parsing, validation and compilation of policy documents.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html

A document is ``{"Version": ..., "Id": ..., "Statement": [...]}`` (a single statement object is
allowed too); each statement has ``Effect`` (``Allow``/``Deny``), one of ``Action``/``NotAction``,
for identity policies one of ``Resource``/``NotResource``, for trust and resource policies one
of ``Principal``/``NotPrincipal``, and optionally ``Sid`` and ``Condition``. Values may be a
string or a list of strings.

:func:`parse_document` validates a document the way IAM does when it is stored (CreatePolicy,
PutRolePolicy, CreateRole's trust policy...) and raises :class:`PolicySyntaxError` with IAM's
message for ``MalformedPolicyDocument``. :func:`compile_statements` turns a validated document
into :class:`Statement` objects with their matchers built, for one principal (its policy
variables substituted once).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Mapping

from .conditions import ConditionBlock, ConditionSyntaxError, validate_block
from .wildcards import UNRESOLVED, has_variables, literal, substitute, union

Lookup = Callable[[str], "str | None"]

VERSIONS = ("2012-10-17", "2008-10-17")
_IDENTITY_KEYS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
_TRUST_KEYS = {"Sid", "Effect", "Action", "NotAction", "Principal", "NotPrincipal", "Condition"}
_RESOURCE_KEYS = _IDENTITY_KEYS | {"Principal", "NotPrincipal"}


class PolicySyntaxError(ValueError):
    """A policy document IAM would refuse; the message is IAM's (MalformedPolicyDocument)."""


def _strings(v: Any) -> list[str] | None:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return list(v)
    return None


def load(document: Any) -> dict[str, Any]:
    """A document given as JSON text (what the API takes) or as a dict (what boto3 returns)."""
    if isinstance(document, (dict,)):
        return document
    if not isinstance(document, str):
        raise PolicySyntaxError("This policy contains invalid Json")
    try:
        doc = json.loads(document)
    except ValueError:
        raise PolicySyntaxError("This policy contains invalid Json") from None
    if not isinstance(doc, dict):
        raise PolicySyntaxError("This policy contains invalid Json")
    return doc


def statements_of(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    stmts = doc.get("Statement")
    if isinstance(stmts, dict):
        return [stmts]
    if isinstance(stmts, list):
        return stmts
    raise PolicySyntaxError("Syntax errors in policy.")


def parse_document(document: Any, kind: str = "identity") -> dict[str, Any]:
    """Validate a policy document; returns it as a dict.

    ``kind`` is ``identity`` (user, group, role and managed policies, session policies),
    ``trust`` (a role's AssumeRolePolicyDocument) or ``resource``.
    """
    doc = load(document)
    for key in doc:
        if key not in ("Version", "Id", "Statement"):
            raise PolicySyntaxError("Syntax errors in policy.")
    version = doc.get("Version")
    if version is not None and version not in VERSIONS:
        raise PolicySyntaxError("The policy failed legacy parsing")
    if "Statement" not in doc:
        raise PolicySyntaxError("Syntax errors in policy.")
    stmts = statements_of(doc)
    allowed = {"identity": _IDENTITY_KEYS, "trust": _TRUST_KEYS, "resource": _RESOURCE_KEYS}[kind]
    sids: set[str] = set()
    for s in stmts:
        if not isinstance(s, dict):
            raise PolicySyntaxError("Syntax errors in policy.")
        for key in s:
            if key not in allowed:
                if kind == "identity" and key in ("Principal", "NotPrincipal"):
                    raise PolicySyntaxError("Policy document should not specify a principal.")
                if kind == "trust" and key in ("Resource", "NotResource"):
                    raise PolicySyntaxError(f"Has prohibited field {key}")
                raise PolicySyntaxError("Syntax errors in policy.")
        sid = s.get("Sid")
        if sid is not None:
            if not isinstance(sid, str):
                raise PolicySyntaxError("Syntax errors in policy.")
            if sid in sids and kind == "identity":
                raise PolicySyntaxError("Statement IDs (SID) in a single policy must be unique.")
            sids.add(sid)
        if s.get("Effect") not in ("Allow", "Deny"):
            raise PolicySyntaxError("Syntax errors in policy.")
        if ("Action" in s) == ("NotAction" in s):
            raise PolicySyntaxError("Policy statement must contain actions.")
        actions = _strings(s.get("Action", s.get("NotAction")))
        if actions is None or not actions:
            raise PolicySyntaxError("Syntax errors in policy.")
        for a in actions:
            if a != "*" and (":" not in a or not a.split(":", 1)[0]):
                raise PolicySyntaxError(
                    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
                )
        if kind in ("identity", "resource"):
            if ("Resource" in s) and ("NotResource" in s):
                raise PolicySyntaxError("Syntax errors in policy.")
            if kind == "identity" and "Resource" not in s and "NotResource" not in s:
                raise PolicySyntaxError("Policy statement must contain resources.")
            res = s.get("Resource", s.get("NotResource"))
            if res is not None and (_strings(res) is None or not _strings(res)):
                raise PolicySyntaxError("Syntax errors in policy.")
        if kind in ("trust", "resource"):
            if ("Principal" in s) == ("NotPrincipal" in s):
                if kind == "trust" or "Principal" in s:
                    raise PolicySyntaxError("Syntax errors in policy.")
            p = s.get("Principal", s.get("NotPrincipal"))
            if p is not None:
                _check_principal(p)
        if "Condition" in s:
            try:
                validate_block(s["Condition"])
            except ConditionSyntaxError:
                raise PolicySyntaxError("Syntax errors in policy.") from None
    return doc


def _check_principal(p: Any) -> None:
    if p == "*":
        return
    if not isinstance(p, dict) or not p:
        raise PolicySyntaxError("Syntax errors in policy.")
    for k, v in p.items():
        if k not in ("AWS", "Service", "Federated", "CanonicalUser"):
            raise PolicySyntaxError("Syntax errors in policy.")
        vals = _strings(v)
        if not vals:
            raise PolicySyntaxError("Syntax errors in policy.")
        if k == "AWS":
            for a in vals:
                if a != "*" and not (a.startswith("arn:aws:iam::") or (len(a) == 12 and a.isdigit())):
                    raise PolicySyntaxError(f'Invalid principal in policy: "AWS":"{a}"')


# -- compiled statements ------------------------------------------------------------------
class Statement:
    """One statement, compiled for one principal.

    ``applies(action, resource, ctx)`` is true when the statement's action, resource and
    condition all match. Costs: a set lookup or one regex per element, plus the condition.
    """

    __slots__ = ("deny", "sid", "_action", "_resource", "_resource_raw", "_not_resource",
                 "condition", "prefixes", "principal")

    def __init__(self, s: Mapping[str, Any], lookup: Lookup | None, use_vars: bool) -> None:
        self.deny = s["Effect"] == "Deny"
        self.sid = s.get("Sid")
        if "Action" in s:
            actions = _strings(s["Action"]) or []
            m = union(actions, ignore_case=True)
            self._action: Callable[[str], bool] = m
            # Service prefixes this statement can match (None: any service).
            pre: set[str] | None = set()
            for a in actions:
                head = a.split(":", 1)[0].lower() if ":" in a else "*"
                if "*" in head or "?" in head:
                    pre = None
                    break
                pre.add(head)  # type: ignore[union-attr]
            self.prefixes = None if pre is None else frozenset(pre)
        else:
            m = union(_strings(s["NotAction"]) or [], ignore_case=True)
            self._action = lambda a, m=m: not m(a)  # type: ignore[misc]
            self.prefixes = None
        self._not_resource = "NotResource" in s
        res = _strings(s.get("Resource", s.get("NotResource"))) if ("Resource" in s or "NotResource" in s) else None
        self._resource_raw: list[str] | None = None
        if res is None:
            self._resource: Callable[[str], bool] | None = None
        else:
            if use_vars and any(has_variables(r) for r in res):
                subst = [substitute(r, lookup) for r in res] if lookup is not None else [UNRESOLVED]
                if UNRESOLVED in subst and lookup is not None:
                    self._resource_raw = res  # resolved per request (request-scoped variables)
                res = subst
            self._resource = union(res)
        cond = s.get("Condition")
        self.condition = ConditionBlock(cond, lookup if use_vars else None) if cond else None
        self.principal = s.get("Principal")

    def matches_action(self, action: str) -> bool:
        return self._action(action)

    def matches_resource(self, resource: str, ctx: Mapping[str, Any]) -> bool:
        m = self._resource
        if m is None:
            return True
        if self._resource_raw is not None:
            def lookup(name: str) -> str | None:
                v = ctx.get(name)
                return v if isinstance(v, str) else None
            m = union([substitute(r, lookup) for r in self._resource_raw])
        hit = m(resource)
        return not hit if self._not_resource else hit

    def applies(self, action: str, resource: str, ctx: Mapping[str, Any]) -> bool:
        if not self._action(action):
            return False
        if not self.matches_resource(resource, ctx):
            return False
        c = self.condition
        return c is None or c.test(ctx)


def uses_variables(doc: Mapping[str, Any]) -> bool:
    """Policy variables are only interpreted in documents of Version 2012-10-17."""
    return doc.get("Version") == "2012-10-17"


def compile_statements(doc: Mapping[str, Any], lookup: Lookup | None) -> list[Statement]:
    use_vars = uses_variables(doc)
    return [Statement(s, lookup, use_vars) for s in statements_of(doc)]


def condition_keys(statements: Iterable[Statement]) -> frozenset[str]:
    keys: set[str] = set()
    for st in statements:
        if st.condition is not None:
            keys |= st.condition.keys
            for c in st.condition.clauses:
                if c.late:
                    keys.add("*")
        if st._resource_raw is not None:
            keys.add("*")
    return frozenset(keys)


def dumps(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"))


__all__ = ["PolicySyntaxError", "Statement", "compile_statements", "condition_keys", "load",
           "parse_document", "literal"]
