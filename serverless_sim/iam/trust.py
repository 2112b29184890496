"""Trust (role) policies: may this principal assume this role?

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html

A trust statement names principals:

- ``{"AWS": "arn:aws:iam::<acct>:root"}`` or ``{"AWS": "<acct>"}``: any IAM principal of the
  account (whose own identity policy must then allow ``sts:AssumeRole``);
- ``{"AWS": "arn:aws:iam::<acct>:user/alice"}``, ``".../role/R"`` (any session of R),
  ``"arn:aws:sts::<acct>:assumed-role/R/S"``: that principal (its identity policy need not allow
  the call: the role's trust names it);
- ``{"Service": "lambda.amazonaws.com"}``: a service; ``{"Federated": "cognito-identity.amazonaws.com"}``:
  web identities; ``"*"`` or ``{"AWS": "*"}``: anyone.

The statement's Action (``sts:AssumeRole``, ``sts:AssumeRoleWithWebIdentity``, ``sts:TagSession``...)
and Condition are evaluated as in any policy. An explicit Deny wins.
"""

from __future__ import annotations

from typing import Any, Mapping

from .policy import compile_statements, statements_of


def _values(v: Any) -> list[str]:
    return [v] if isinstance(v, str) else list(v) if isinstance(v, list) else []


def principal_matches(spec: Any, ids: Mapping[str, set[str]]) -> tuple[bool, bool]:
    """(matches, names the principal exactly) for one statement's Principal element."""
    if spec == "*":
        return True, False
    if not isinstance(spec, dict):
        return False, False
    exact = False
    hit = False
    for kind, values in spec.items():
        have = ids.get(kind, set())
        for v in _values(values):
            if v == "*" and have:
                hit = True
            elif v in have:
                hit = True
                if kind == "AWS" and not (v.endswith(":root") or v.isdigit()):
                    exact = True
                if kind != "AWS":
                    exact = True
    return hit, exact


def evaluate_trust(trust: Mapping[str, Any], ids: Mapping[str, set[str]], action: str, resource: str,
                   ctx: Mapping[str, Any]) -> tuple[bool, bool]:
    """(allowed by the trust policy, the principal is named exactly)."""
    def lookup(name: str) -> str | None:
        v = ctx.get(name)
        return v if isinstance(v, str) else None

    stmts = compile_statements(trust, lookup)
    allowed = False
    exact = False
    for raw, st in zip(statements_of(trust), stmts):
        if "NotPrincipal" in raw:
            hit, ex = principal_matches(raw["NotPrincipal"], ids)
            hit = not hit
            ex = False
        else:
            hit, ex = principal_matches(raw.get("Principal"), ids)
        if not hit or not st.matches_action(action):
            continue
        if st.condition is not None and not st.condition.test(ctx):
            continue
        if st.deny:
            return False, False
        allowed = True
        exact = exact or ex
    return allowed, exact
