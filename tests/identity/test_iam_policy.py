"""IAM's policy language and evaluation logic, rule by rule (serverless_sim.iam.policy,
conditions, evaluate), with AWS's documented examples."""

from __future__ import annotations

import pytest

from serverless_sim.iam.evaluate import evaluate
from serverless_sim.iam.policy import PolicySyntaxError, parse_document

T = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"


def pol(*statements, version="2012-10-17"):
    d = {"Statement": list(statements)}
    if version is not None:
        d["Version"] = version
    return d


def allow(action="*", resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action="*", resource="*", **extra):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def decide(policies, action="dynamodb:GetItem", resource=T, ctx=None):
    return evaluate(policies if isinstance(policies, list) else [policies], action, resource, ctx)


# -- the three outcomes ---------------------------------------------------------------------
def test_default_deny_allow_and_explicit_deny_wins():
    assert decide(pol()) == "ImplicitDeny"
    assert decide(pol(allow("dynamodb:GetItem", T))) == "Allow"
    assert decide([pol(allow()), pol(deny("dynamodb:GetItem", T))]) == "ExplicitDeny"
    # a deny that does not match leaves the allow
    assert decide([pol(allow()), pol(deny("dynamodb:PutItem", T))]) == "Allow"


def test_statement_order_does_not_matter():
    a, d = allow(), deny("dynamodb:*")
    assert decide(pol(a, d)) == decide(pol(d, a)) == "ExplicitDeny"


# -- actions --------------------------------------------------------------------------------
@pytest.mark.parametrize("pattern,expected", [
    ("dynamodb:GetItem", "Allow"), ("DYNAMODB:getitem", "Allow"), ("dynamodb:Get*", "Allow"),
    ("dynamodb:*Item", "Allow"), ("dynamodb:G?tItem", "Allow"), ("dynamodb:*", "Allow"), ("*", "Allow"),
    ("dynamodb:Put*", "ImplicitDeny"), ("dynamodb:GetItems", "ImplicitDeny"), ("dynamo:GetItem", "ImplicitDeny"),
    ("dynamodb:G?Item", "ImplicitDeny"), ("*:GetItem", "Allow"),
])
def test_action_wildcards_case_insensitive(pattern, expected):
    assert decide(pol(allow(pattern))) == expected


def test_action_list_is_any_of():
    assert decide(pol(allow(["sqs:SendMessage", "dynamodb:GetItem"]))) == "Allow"
    assert decide(pol(allow(["sqs:SendMessage", "s3:*"]))) == "ImplicitDeny"


def test_not_action_matches_everything_else():
    p = pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert decide(p) == "Allow"
    assert decide(p, "iam:CreateUser", "*") == "ImplicitDeny"
    # NotAction with Deny: deny all but the listed ones
    q = [pol(allow()), pol({"Effect": "Deny", "NotAction": ["dynamodb:GetItem"], "Resource": "*"})]
    assert decide(q) == "Allow"
    assert decide(q, "dynamodb:PutItem") == "ExplicitDeny"


# -- resources ------------------------------------------------------------------------------
@pytest.mark.parametrize("pattern,expected", [
    (T, "Allow"), ("arn:aws:dynamodb:*:*:table/orders", "Allow"), ("arn:aws:dynamodb:us-east-1:123456789012:table/*", "Allow"),
    ("arn:aws:dynamodb:us-east-1:123456789012:table/order?", "Allow"),
    ("arn:aws:dynamodb:us-east-1:123456789012:table/Orders", "ImplicitDeny"),  # resources are case-sensitive
    ("arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/*", "ImplicitDeny"),
    ("arn:aws:dynamodb:us-east-1:123456789012:table/ord", "ImplicitDeny"),
])
def test_resource_wildcards_case_sensitive(pattern, expected):
    assert decide(pol(allow("dynamodb:*", pattern))) == expected


def test_not_resource():
    p = pol({"Effect": "Allow", "Action": "dynamodb:*", "NotResource": "arn:aws:dynamodb:*:*:table/secret*"})
    assert decide(p) == "Allow"
    assert decide(p, resource="arn:aws:dynamodb:us-east-1:123456789012:table/secrets") == "ImplicitDeny"


# -- conditions: strings ------------------------------------------------------------------------
def cond(block, ctx, action="dynamodb:GetItem"):
    return decide(pol(allow(Condition=block)), action, T, ctx)


def test_string_equals_is_case_sensitive_and_values_are_ored():
    block = {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]}}
    assert cond(block, {"aws:PrincipalTag/team": "blue"}) == "Allow"
    assert cond(block, {"aws:PrincipalTag/team": "Blue"}) == "ImplicitDeny"
    assert cond(block, {}) == "ImplicitDeny"  # missing key: false


def test_condition_keys_are_case_insensitive():
    assert cond({"StringEquals": {"AWS:PRINCIPALTAG/team": "red"}}, {"aws:principaltag/team": "red"}) == "Allow"


def test_string_not_equals_is_nor_and_true_when_missing():
    block = {"StringNotEquals": {"aws:PrincipalTag/team": ["red", "blue"]}}
    assert cond(block, {"aws:PrincipalTag/team": "green"}) == "Allow"
    assert cond(block, {"aws:PrincipalTag/team": "red"}) == "ImplicitDeny"
    assert cond(block, {"aws:PrincipalTag/team": "blue"}) == "ImplicitDeny"
    assert cond(block, {}) == "Allow"  # negated operator, missing key: true


def test_string_ignore_case_and_like():
    assert cond({"StringEqualsIgnoreCase": {"s3:prefix": "HOME/"}}, {"s3:prefix": "home/"}) == "Allow"
    assert cond({"StringNotEqualsIgnoreCase": {"s3:prefix": "HOME/"}}, {"s3:prefix": "home/"}) == "ImplicitDeny"
    assert cond({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/alice/x"}) == "Allow"
    assert cond({"StringLike": {"s3:prefix": "home/?"}}, {"s3:prefix": "home/ab"}) == "ImplicitDeny"
    assert cond({"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "home/"}) == "Allow"
    assert cond({"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "tmp/x"}) == "ImplicitDeny"
    # StringEquals takes no wildcards
    assert cond({"StringEquals": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/x"}) == "ImplicitDeny"
    assert cond({"StringEquals": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/*"}) == "Allow"


def test_operators_and_keys_are_anded():
    block = {"StringEquals": {"aws:PrincipalTag/team": "red", "aws:PrincipalTag/env": "prod"},
             "Bool": {"aws:SecureTransport": "true"}}
    ctx = {"aws:PrincipalTag/team": "red", "aws:PrincipalTag/env": "prod", "aws:SecureTransport": True}
    assert cond(block, ctx) == "Allow"
    assert cond(block, {**ctx, "aws:PrincipalTag/env": "dev"}) == "ImplicitDeny"
    assert cond(block, {**ctx, "aws:SecureTransport": False}) == "ImplicitDeny"


# -- numbers, dates, booleans, binary, IPs, ARNs -------------------------------------------------
def test_numeric_operators():
    k = "dynamodb:limit"
    assert cond({"NumericLessThan": {k: "10"}}, {k: 9}) == "Allow"
    assert cond({"NumericLessThan": {k: "10"}}, {k: 10}) == "ImplicitDeny"
    assert cond({"NumericLessThanEquals": {k: "10"}}, {k: "10"}) == "Allow"
    assert cond({"NumericGreaterThan": {k: "1.5"}}, {k: "1.50001"}) == "Allow"
    assert cond({"NumericGreaterThanEquals": {k: 2}}, {k: "1"}) == "ImplicitDeny"
    assert cond({"NumericEquals": {k: "3"}}, {k: "3.0"}) == "Allow"
    assert cond({"NumericNotEquals": {k: "3"}}, {k: "4"}) == "Allow"
    assert cond({"NumericLessThan": {k: "10"}}, {k: "ten"}) == "ImplicitDeny"


def test_date_operators_iso_and_epoch():
    k = "aws:CurrentTime"
    assert cond({"DateLessThan": {k: "2026-06-01T00:00:00Z"}}, {k: "2026-01-01T00:00:00Z"}) == "Allow"
    assert cond({"DateGreaterThan": {k: "2026-06-01T00:00:00Z"}}, {k: "2026-01-01T00:00:00Z"}) == "ImplicitDeny"
    assert cond({"DateGreaterThanEquals": {k: "1767225600"}}, {k: "2026-01-01T00:00:00Z"}) == "Allow"
    assert cond({"DateEquals": {k: "2026-01-01"}}, {k: "2026-01-01T00:00:00+00:00"}) == "Allow"
    assert cond({"DateNotEquals": {k: "2026-01-01"}}, {k: "2026-01-02"}) == "Allow"
    assert cond({"DateLessThanEquals": {k: "2026-01-01T00:00:00Z"}}, {k: "2026-01-01T00:00:01Z"}) == "ImplicitDeny"


def test_bool_binary_ip_arn():
    assert cond({"Bool": {"aws:MultiFactorAuthPresent": "TRUE"}}, {"aws:MultiFactorAuthPresent": "true"}) == "Allow"
    assert cond({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {}) == "ImplicitDeny"
    assert cond({"BinaryEquals": {"k:bin": "QmluYXJ5"}}, {"k:bin": "QmluYXJ5"}) == "Allow"
    assert cond({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.7"}) == "Allow"
    assert cond({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.1"}) == "ImplicitDeny"
    assert cond({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "198.51.100.1"}) == "Allow"
    assert cond({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8::1"}) == "Allow"
    src = "arn:aws:sns:us-east-1:123456789012:topic-a"
    assert cond({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:topic-*"}}, {"aws:SourceArn": src}) == "Allow"
    assert cond({"ArnEquals": {"aws:SourceArn": src}}, {"aws:SourceArn": src}) == "Allow"
    assert cond({"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:*:other"}}, {"aws:SourceArn": src}) == "Allow"
    # ARNs compare part by part: a wildcard does not cross the ':' of the account field
    assert cond({"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:*"}}, {"aws:SourceArn": src}) == "ImplicitDeny"
    assert cond({"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:*:*"}}, {"aws:SourceArn": src}) == "Allow"


# -- IfExists, Null, set operators ---------------------------------------------------------------
def test_if_exists():
    block = {"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}
    assert cond(block, {}) == "Allow"
    assert cond(block, {"ec2:InstanceType": "t3.micro"}) == "Allow"
    assert cond(block, {"ec2:InstanceType": "m5.large"}) == "ImplicitDeny"


def test_null():
    assert cond({"Null": {"aws:TokenIssueTime": "true"}}, {}) == "Allow"
    assert cond({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}) == "ImplicitDeny"
    assert cond({"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": "x"}) == "Allow"


def test_for_all_values_and_for_any_value():
    k = "dynamodb:Attributes"
    allowed = ["id", "name", "email"]
    fa = {"ForAllValues:StringEquals": {k: allowed}}
    assert cond(fa, {k: ["id", "name"]}) == "Allow"
    assert cond(fa, {k: ["id", "salary"]}) == "ImplicitDeny"
    assert cond(fa, {}) == "Allow"           # missing: true (AWS's documented pitfall)
    assert cond(fa, {k: []}) == "Allow"
    fy = {"ForAnyValue:StringEquals": {k: ["salary"]}}
    assert cond(fy, {k: ["id", "salary"]}) == "Allow"
    assert cond(fy, {k: ["id"]}) == "ImplicitDeny"
    assert cond(fy, {}) == "ImplicitDeny"   # missing: false
    assert cond({"ForAnyValue:StringLike": {k: "sal*"}}, {k: ["id", "salary"]}) == "Allow"
    # negated set operators
    assert cond({"ForAllValues:StringNotEquals": {k: ["salary"]}}, {k: ["id", "name"]}) == "Allow"
    assert cond({"ForAllValues:StringNotEquals": {k: ["salary"]}}, {k: ["id", "salary"]}) == "ImplicitDeny"
    assert cond({"ForAnyValue:StringNotEquals": {k: ["salary"]}}, {k: ["id", "salary"]}) == "Allow"
    assert cond({"ForAnyValue:StringEqualsIfExists": {k: ["x"]}}, {}) == "Allow"


def test_plain_operator_over_multivalued_key_matches_any():
    k = "dynamodb:Attributes"
    assert cond({"StringEquals": {k: "name"}}, {k: ["id", "name"]}) == "Allow"
    assert cond({"StringNotEquals": {k: "name"}}, {k: ["id", "name"]}) == "ImplicitDeny"


def test_deny_with_condition():
    p = [pol(allow()), pol(deny(Condition={"Bool": {"aws:SecureTransport": "false"}}))]
    assert decide(p, ctx={"aws:SecureTransport": "true"}) == "Allow"
    assert decide(p, ctx={"aws:SecureTransport": "false"}) == "ExplicitDeny"


# -- policy variables ---------------------------------------------------------------------------
def test_policy_variables_in_resource_and_condition():
    p = pol(allow("s3:*", "arn:aws:s3:::bucket/home/${aws:username}/*"),
            allow("dynamodb:GetItem", T, Condition={"ForAllValues:StringEquals": {
                "dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]}}))
    ctx = {"aws:username": "alice", "cognito-identity.amazonaws.com:sub": "us-east-1:abc"}
    assert decide(p, "s3:GetObject", "arn:aws:s3:::bucket/home/alice/a.txt", ctx) == "Allow"
    assert decide(p, "s3:GetObject", "arn:aws:s3:::bucket/home/bob/a.txt", ctx) == "ImplicitDeny"
    assert decide(p, ctx={**ctx, "dynamodb:LeadingKeys": ["us-east-1:abc"]}) == "Allow"
    assert decide(p, ctx={**ctx, "dynamodb:LeadingKeys": ["us-east-1:xyz"]}) == "ImplicitDeny"


def test_unresolvable_variable_matches_nothing_and_default_applies():
    p = pol(allow("s3:*", "arn:aws:s3:::bucket/home/${aws:username}/*"))
    assert decide(p, "s3:GetObject", "arn:aws:s3:::bucket/home//x", {}) == "ImplicitDeny"
    q = pol(allow("s3:*", "arn:aws:s3:::bucket/home/${aws:username, 'guest'}/*"))
    assert decide(q, "s3:GetObject", "arn:aws:s3:::bucket/home/guest/x", {}) == "Allow"


def test_variable_values_and_escapes_are_literal():
    p = pol(allow("s3:*", "arn:aws:s3:::b/${aws:username}/*"))
    # a username containing '*' is not a wildcard
    assert decide(p, "s3:GetObject", "arn:aws:s3:::b/al*/x", {"aws:username": "al*"}) == "Allow"
    assert decide(p, "s3:GetObject", "arn:aws:s3:::b/alice/x", {"aws:username": "al*"}) == "ImplicitDeny"
    q = pol(allow("s3:*", "arn:aws:s3:::b/${*}"))
    assert decide(q, "s3:GetObject", "arn:aws:s3:::b/*", {}) == "Allow"
    assert decide(q, "s3:GetObject", "arn:aws:s3:::b/x", {}) == "ImplicitDeny"


def test_variables_are_literal_in_old_policy_versions():
    p = pol(allow("s3:*", "arn:aws:s3:::b/${aws:username}"), version="2008-10-17")
    assert decide(p, "s3:GetObject", "arn:aws:s3:::b/alice", {"aws:username": "alice"}) == "ImplicitDeny"
    assert decide(p, "s3:GetObject", "arn:aws:s3:::b/${aws:username}", {"aws:username": "alice"}) == "Allow"


# -- documents IAM refuses ------------------------------------------------------------------------
@pytest.mark.parametrize("document,message", [
    ("{not json", "This policy contains invalid Json"),
    ({"Version": "2012-10-17"}, "Syntax errors in policy."),
    ({"Version": "2012-10-18", "Statement": []}, "The policy failed legacy parsing"),
    (pol({"Effect": "Allow", "Resource": "*"}), "Policy statement must contain actions."),
    (pol({"Effect": "Allow", "Action": "s3:*"}), "Policy statement must contain resources."),
    (pol({"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}), "Syntax errors in policy."),
    (pol({"Effect": "Allow", "Action": "GetObject", "Resource": "*"}),
     "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    (pol(allow(Principal="*")), "Policy document should not specify a principal."),
    (pol(allow(Condition={"StringEqualz": {"a:b": "c"}})), "Syntax errors in policy."),
    (pol(allow(Sid="a"), allow(Sid="a")), "Statement IDs (SID) in a single policy must be unique."),
    (pol(allow(Extra=1)), "Syntax errors in policy."),
])
def test_malformed_documents(document, message):
    with pytest.raises(PolicySyntaxError) as exc:
        parse_document(document)
    assert str(exc.value) == message


def test_trust_documents():
    ok = pol({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    assert parse_document(ok, "trust")
    with pytest.raises(PolicySyntaxError, match="Has prohibited field Resource"):
        parse_document(pol({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}), "trust")
    with pytest.raises(PolicySyntaxError, match="Invalid principal"):
        parse_document(pol({"Effect": "Allow", "Principal": {"AWS": "alice"}, "Action": "sts:AssumeRole"}), "trust")
