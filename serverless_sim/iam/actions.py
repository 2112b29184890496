"""Which IAM action and resource ARN each service call is authorized as.

:func:`authorizations` turns one wire call ``(service, operation, request)`` into the list of
``(action, resource ARN, condition keys)`` that IAM checks for it, following the Service
Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html):

- most actions are ``<prefix>:<Operation>`` (``dynamodb:GetItem``, ``sqs:SendMessage``); the
  exceptions are in :data:`ACTION_NAMES` (``lambda:Invoke`` is ``lambda:InvokeFunction``, batch
  SQS calls are authorized as their single forms, S3's ``HeadObject`` is ``s3:GetObject``,
  ``ListObjectsV2`` is ``s3:ListBucket``...);
- calls that name several resources are several checks (a BatchGetItem per table, a
  TransactWriteItems per item and underlying action, a CopyObject as ``s3:GetObject`` on the
  source and ``s3:PutObject`` on the target), all of which must be allowed;
- passing a role to a service (CreateFunction's ``Role``, CreateStateMachine's ``roleArn``) also
  needs ``iam:PassRole`` on that role;
- calls that need no IAM permission return ``None``: Cognito's user-facing APIs (SignUp,
  InitiateAuth, GetUser... authorized by tokens), identity pools' GetId and
  GetCredentialsForIdentity, STS GetCallerIdentity (and AssumeRole, whose trust and identity
  checks the STS operation makes itself).

Condition keys computed from the request (only when the principal's policies read them):
DynamoDB's ``dynamodb:LeadingKeys`` (the partition-key values the call touches, as strings),
``dynamodb:Attributes`` (top-level attribute names it reads or writes), ``dynamodb:Select``,
``dynamodb:ReturnValues``, ``dynamodb:ReturnConsumedCapacity``; S3's ``s3:prefix``; IAM's
``iam:PolicyARN`` and ``iam:PassedToService``.

Unknown services fall back to ``<service>:<Operation>`` on ``*``.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:
    from ..cloud import Cloud

#: (action, resource ARN, request condition keys: a mapping (possibly computing keys on first
#: access), a callable returning one, or None)
Check = tuple[str, str, Any]
Mapper = Callable[["Cloud", str, dict], "list[Check] | None"]

#: boto3 service name -> IAM service prefix
PREFIX: dict[str, str] = {
    "dynamodb": "dynamodb", "dynamodbstreams": "dynamodb", "lambda": "lambda",
    "stepfunctions": "states", "events": "events", "scheduler": "scheduler", "s3": "s3",
    "sqs": "sqs", "sns": "sns", "cloudwatch": "cloudwatch", "logs": "logs", "iam": "iam",
    "sts": "sts", "cognito-idp": "cognito-idp", "cognito-identity": "cognito-identity",
    "apigateway": "apigateway", "apigatewayv2": "apigateway",
    "apigatewaymanagementapi": "execute-api",
}

#: (service, operation) -> IAM action name, where it is not the operation's name
ACTION_NAMES: dict[tuple[str, str], str] = {
    ("lambda", "Invoke"): "InvokeFunction",
    ("lambda", "PutFunctionConcurrency"): "PutFunctionConcurrency",
    ("sqs", "SendMessageBatch"): "SendMessage",
    ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
    ("sns", "PublishBatch"): "Publish",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjectVersions"): "ListBucketVersions",
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "CreateMultipartUpload"): "PutObject",
    ("s3", "UploadPart"): "PutObject",
    ("s3", "CompleteMultipartUpload"): "PutObject",
    ("s3", "ListParts"): "ListMultipartUploadParts",
    ("s3", "ListMultipartUploads"): "ListBucketMultipartUploads",
    ("s3", "DeleteObjects"): "DeleteObject",
    ("s3", "PutBucketNotificationConfiguration"): "PutBucketNotification",
    ("s3", "GetBucketNotificationConfiguration"): "GetBucketNotification",
    ("s3", "PutBucketLifecycleConfiguration"): "PutLifecycleConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "GetLifecycleConfiguration",
    ("s3", "DeleteBucketLifecycle"): "PutLifecycleConfiguration",
    ("apigatewaymanagementapi", "PostToConnection"): "ManageConnections",
    ("apigatewaymanagementapi", "GetConnection"): "ManageConnections",
    ("apigatewaymanagementapi", "DeleteConnection"): "ManageConnections",
}

#: Operations that need no IAM permission (token-authorized or always allowed).
UNAUTHENTICATED: dict[str, frozenset[str]] = {
    "cognito-idp": frozenset({
        "SignUp", "ConfirmSignUp", "ResendConfirmationCode", "InitiateAuth", "RespondToAuthChallenge",
        "GetUser", "GlobalSignOut", "ForgotPassword", "ConfirmForgotPassword", "ChangePassword",
        "RevokeToken", "UpdateUserAttributes", "DeleteUser", "VerifyUserAttribute",
        "GetUserAttributeVerificationCode", "AssociateSoftwareToken", "VerifySoftwareToken",
    }),
    "cognito-identity": frozenset({"GetId", "GetCredentialsForIdentity", "GetOpenIdToken", "UnlinkIdentity"}),
    "sts": frozenset({"GetCallerIdentity", "AssumeRole", "AssumeRoleWithWebIdentity", "GetSessionToken"}),
}

#: service -> (AccessDenied error code, HTTP status) as each service answers a denial
DENIAL: dict[str, tuple[str, int]] = {
    "dynamodb": ("AccessDeniedException", 400), "dynamodbstreams": ("AccessDeniedException", 400),
    "lambda": ("AccessDeniedException", 403), "stepfunctions": ("AccessDeniedException", 400),
    "events": ("AccessDeniedException", 400), "scheduler": ("AccessDeniedException", 403),
    "logs": ("AccessDeniedException", 400), "cognito-idp": ("AccessDeniedException", 400),
    "cognito-identity": ("AccessDeniedException", 400),
    "sqs": ("AccessDenied", 403), "s3": ("AccessDenied", 403), "sns": ("AuthorizationError", 403),
    "iam": ("AccessDenied", 403), "sts": ("AccessDenied", 403), "cloudwatch": ("AccessDenied", 403),
}

#: service -> how it reports bad credentials: "json", "query" or "s3"
AUTH_FAMILY: dict[str, str] = {
    "iam": "query", "sts": "query", "sns": "query", "cloudwatch": "query", "s3": "s3", "sqs": "query",
}


def action_name(service: str, operation: str) -> str:
    prefix = PREFIX.get(service, service)
    return f"{prefix}:{ACTION_NAMES.get((service, operation), operation)}"


# -- helpers ------------------------------------------------------------------------------
def _arn(cloud: "Cloud", service: str, resource: str) -> str:
    return f"arn:aws:{service}:{cloud.region}:{cloud.account_id}:{resource}"


_ARN_CACHE: dict[tuple[int, str, str], str] = {}


def _scalar(av: Any) -> str | None:
    """A key attribute value as its condition-key text (S and N as given, B as base64)."""
    if not isinstance(av, dict) or len(av) != 1:
        return None
    for tag, v in av.items():
        if tag in ("S", "N") and isinstance(v, str):
            return v
        if tag == "B" and isinstance(v, (bytes, bytearray)):
            return base64.b64encode(bytes(v)).decode()
        if tag == "B" and isinstance(v, str):
            return v
    return None


# -- DynamoDB -----------------------------------------------------------------------------
def _table_arn(cloud: "Cloud", name: Any) -> str:
    if not isinstance(name, str):
        return _arn(cloud, "dynamodb", "table/*")
    if name.startswith("arn:"):
        return name
    key = (id(cloud), "t", name)
    arn = _ARN_CACHE.get(key)
    if arn is None:
        arn = f"arn:aws:dynamodb:{cloud.region}:{cloud.account_id}:table/{name}"
        if len(_ARN_CACHE) < 50_000:
            _ARN_CACHE[key] = arn
    return arn


def _hash_key(cloud: "Cloud", table_name: Any) -> str | None:
    ddb: Any = cloud.service("dynamodb")
    name = table_name
    if isinstance(name, str) and name.startswith("arn:") and ":table/" in name:
        name = name.rsplit(":table/", 1)[1]
    table = ddb.tables.get(name) if isinstance(name, str) else None
    return table.hash_key if table is not None else None


_PATH_HEAD = re.compile(r"(?<![:#\w])(#?[A-Za-z_][\w-]*)\s*(\()?")
_UPDATE_KEYWORDS = {"set", "remove", "add", "delete", "and", "or", "not", "between", "in"}


def _resolve(name: str, names: Mapping[str, str] | None) -> str:
    if name.startswith("#") and names:
        return names.get(name, name)
    return name


def _expression_heads(expr: Any, names: Mapping[str, str] | None) -> list[str]:
    """Top-level attribute names an expression mentions (paths' first elements)."""
    if not isinstance(expr, str):
        return []
    out: list[str] = []
    text = expr
    for m in _PATH_HEAD.finditer(text):
        start = m.start(1)
        if start > 0 and text[start - 1] in ".:":
            continue
        token, call = m.group(1), m.group(2)
        if call:  # a function: if_not_exists(...), list_append(...), size(...)
            continue
        if token.lower() in _UPDATE_KEYWORDS:
            continue
        out.append(_resolve(token, names))
    return out


def _projection(p: Mapping[str, Any]) -> list[str] | None:
    expr = p.get("ProjectionExpression")
    names = p.get("ExpressionAttributeNames")
    if isinstance(expr, str):
        heads = []
        for part in expr.split(","):
            part = part.strip()
            head = re.split(r"[.\[]", part, 1)[0].strip()
            if head:
                heads.append(_resolve(head, names))
        return heads
    atg = p.get("AttributesToGet")
    if isinstance(atg, list):
        return [a for a in atg if isinstance(a, str)]
    return None


def _leading_from_query(p: Mapping[str, Any], hk: str | None) -> list[str]:
    expr = p.get("KeyConditionExpression")
    names = p.get("ExpressionAttributeNames")
    values = p.get("ExpressionAttributeValues") or {}
    if isinstance(expr, str) and hk is not None:
        for part in re.split(r"(?i)\s+and\s+", expr):
            m = re.fullmatch(r"\s*\(?\s*(#?[\w.-]+)\s*=\s*(:[\w]+)\s*\)?\s*", part)
            if m and _resolve(m.group(1), names) == hk:
                v = _scalar(values.get(m.group(2)))
                return [v] if v is not None else []
    kc = p.get("KeyConditions")
    if isinstance(kc, dict) and hk in kc:
        vals = kc[hk].get("AttributeValueList") or []
        v = _scalar(vals[0]) if vals else None
        return [v] if v is not None else []
    return []


def _dedupe(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)


class DynamoDBKeys:
    """The request's DynamoDB condition keys (lower-case names, string values), computed on
    first use: enforcement reads only the keys the principal's policies mention."""

    __slots__ = ("_cloud", "_op", "_p", "_table", "_entries", "_hk", "_done")

    def __init__(self, cloud: "Cloud", op: str, p: Mapping[str, Any], table: Any = None, entries: Any = None) -> None:
        self._cloud = cloud
        self._op = op
        self._p = p
        self._table = p.get("TableName") if table is None else table
        self._entries = entries
        self._hk: Any = self
        self._done: dict[str, Any] = {}

    def _hash(self) -> str | None:
        if self._hk is self:
            self._hk = _hash_key(self._cloud, self._table)
        return self._hk  # type: ignore[no-any-return]

    def get(self, key: str, default: Any = None) -> Any:
        done = self._done
        if key in done:
            v = done[key]
        else:
            fn = _DDB_KEYS.get(key)
            v = done[key] = fn(self) if fn is not None else None
        return default if v is None else v

    def __getitem__(self, key: str) -> Any:
        v = self.get(key)
        if v is None:
            raise KeyError(key)
        return v

    def keys(self) -> list[str]:
        return [k for k in _DDB_KEYS if self.get(k) is not None]

    def __iter__(self) -> Any:
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def items(self) -> list[tuple[str, Any]]:
        return [(k, self.get(k)) for k in self.keys()]

    # -- the keys ---------------------------------------------------------------------------
    def _leading(self) -> list[str] | None:
        op, p, hk = self._op, self._p, self._hash()
        leading: list[str] = []
        if op in ("GetItem", "DeleteItem", "UpdateItem", "ConditionCheckItem"):
            key = p.get("Key")
            v = _scalar(key.get(hk)) if hk is not None and isinstance(key, dict) else None
            if v is not None:
                leading = [v]
        elif op == "PutItem":
            item = p.get("Item")
            v = _scalar(item.get(hk)) if hk is not None and isinstance(item, dict) else None
            if v is not None:
                leading = [v]
        elif op == "Query":
            leading = _leading_from_query(p, hk)
        elif op == "BatchGetItem":
            for key in (self._entries or {}).get("Keys") or []:
                v = _scalar(key.get(hk)) if hk is not None and isinstance(key, dict) else None
                if v is not None:
                    leading.append(v)
        elif op == "BatchWriteItem":
            for item in _batch_items(self._entries):
                v = _scalar(item.get(hk)) if hk is not None else None
                if v is not None:
                    leading.append(v)
        return _dedupe(leading) if leading else None

    def _attributes(self) -> list[str] | None:
        op, p = self._op, self._p
        names = p.get("ExpressionAttributeNames")
        attrs: list[str] | None = None
        if op == "GetItem" or op == "Query" or op == "Scan":
            attrs = _projection(p)
        elif op == "BatchGetItem":
            attrs = _projection(self._entries or {})
        elif op == "UpdateItem":
            key = p.get("Key")
            if isinstance(key, dict):
                attrs = list(key) + _expression_heads(p.get("UpdateExpression"), names)
        elif op == "PutItem":
            item = p.get("Item")
            if isinstance(item, dict):
                attrs = list(item)
        elif op == "BatchWriteItem":
            attrs = [a for item in _batch_items(self._entries) for a in item]
        return _dedupe(attrs) if attrs is not None else None

    def _select(self) -> str | None:
        op = self._op
        if op not in ("GetItem", "Query", "Scan", "BatchGetItem"):
            return None
        sel = self._p.get("Select") if op in ("Query", "Scan") else None
        if sel is None:
            sel = "SPECIFIC_ATTRIBUTES" if self.get("dynamodb:attributes") is not None else "ALL_ATTRIBUTES"
        return str(sel)

    def _return_values(self) -> str | None:
        if self._op in ("PutItem", "UpdateItem", "DeleteItem"):
            return str(self._p.get("ReturnValues") or "NONE")
        return None

    def _return_capacity(self) -> str:
        return str(self._p.get("ReturnConsumedCapacity") or "NONE")


def _batch_items(entries: Any) -> list[dict]:
    out = []
    for req in entries or []:
        if not isinstance(req, dict):
            continue
        put = req.get("PutRequest")
        item = put.get("Item") if isinstance(put, dict) else None
        if item is None:
            dele = req.get("DeleteRequest")
            item = dele.get("Key") if isinstance(dele, dict) else None
        if isinstance(item, dict):
            out.append(item)
    return out


_DDB_KEYS: dict[str, Callable[[DynamoDBKeys], Any]] = {
    "dynamodb:leadingkeys": DynamoDBKeys._leading,
    "dynamodb:attributes": DynamoDBKeys._attributes,
    "dynamodb:select": DynamoDBKeys._select,
    "dynamodb:returnvalues": DynamoDBKeys._return_values,
    "dynamodb:returnconsumedcapacity": DynamoDBKeys._return_capacity,
}


def dynamodb_context(cloud: "Cloud", op: str, p: Mapping[str, Any], table: Any = None,
                     entries: Any = None) -> dict[str, Any]:
    """All of the request's DynamoDB condition keys, as a dict."""
    return dict(DynamoDBKeys(cloud, op, p, table, entries).items())


def _dynamodb(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    if op in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Scan"):
        return [("dynamodb:" + op, _table_arn(cloud, p.get("TableName")), DynamoDBKeys(cloud, op, p))]
    if op == "Query":
        arn = _table_arn(cloud, p.get("TableName"))
        if isinstance(p.get("IndexName"), str):
            arn = f"{arn}/index/{p['IndexName']}"
        return [("dynamodb:Query", arn, DynamoDBKeys(cloud, op, p))]
    if op == "BatchGetItem":
        items = p.get("RequestItems") or {}
        return [("dynamodb:BatchGetItem", _table_arn(cloud, t), DynamoDBKeys(cloud, op, p, t, e))
                for t, e in items.items()]
    if op == "BatchWriteItem":
        items = p.get("RequestItems") or {}
        return [("dynamodb:BatchWriteItem", _table_arn(cloud, t), DynamoDBKeys(cloud, op, p, t, e))
                for t, e in items.items()]
    if op in ("TransactWriteItems", "TransactGetItems"):
        checks: list[Check] = []
        kinds = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                 "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
        for entry in p.get("TransactItems") or []:
            if not isinstance(entry, dict):
                continue
            for kind, body in entry.items():
                sub = kinds.get(kind)
                if sub is None or not isinstance(body, dict):
                    continue
                checks.append(("dynamodb:" + sub, _table_arn(cloud, body.get("TableName")),
                               DynamoDBKeys(cloud, sub, body)))
        return checks
    if op in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
        statements = ([p] if op == "ExecuteStatement" else
                      p.get("Statements") or p.get("TransactStatements") or [])
        checks = []
        for st in statements:
            text = st.get("Statement") if isinstance(st, dict) else None
            word = text.strip().split(None, 1)[0].upper() if isinstance(text, str) and text.strip() else "SELECT"
            m = re.search(r'(?i)\b(?:from|into|update)\s+"?([\w.-]+)"?', text or "")
            table = m.group(1) if m else None
            if word == "DELETE":
                m = re.search(r'(?i)\bfrom\s+"?([\w.-]+)"?', text or "")
                table = m.group(1) if m else None
            action = {"SELECT": "PartiQLSelect", "INSERT": "PartiQLInsert", "UPDATE": "PartiQLUpdate",
                      "DELETE": "PartiQLDelete"}.get(word, "PartiQLSelect")
            checks.append(("dynamodb:" + action, _table_arn(cloud, table), None))
        return checks
    if op in ("ListTables", "ListBackups", "ListGlobalTables", "DescribeLimits", "DescribeEndpoints",
              "ListExports", "ListImports"):
        return [("dynamodb:" + op, "*", None)]
    if op in ("DescribeBackup", "DeleteBackup"):
        return [("dynamodb:" + op, str(p.get("BackupArn", "*")), None)]
    if op in ("ListTagsOfResource", "TagResource", "UntagResource"):
        return [("dynamodb:" + op, str(p.get("ResourceArn", "*")), None)]
    if op == "RestoreTableFromBackup":
        return [("dynamodb:RestoreTableFromBackup", str(p.get("BackupArn", "*")), None),
                ("dynamodb:PutItem", _table_arn(cloud, p.get("TargetTableName")), None)]
    if op == "RestoreTableToPointInTime":
        return [("dynamodb:RestoreTableToPointInTime", _table_arn(cloud, p.get("SourceTableName")), None)]
    if op in ("CreateGlobalTable", "UpdateGlobalTable", "DescribeGlobalTable"):
        return [("dynamodb:" + op, f"arn:aws:dynamodb::{cloud.account_id}:global-table/{p.get('GlobalTableName')}", None)]
    return [("dynamodb:" + op, _table_arn(cloud, p.get("TableName")), None)]


def _dynamodbstreams(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    if op == "ListStreams":
        return [("dynamodb:ListStreams", "*", None)]
    arn = p.get("StreamArn")
    if arn is None and isinstance(p.get("ShardIterator"), str):
        arn = "*"
    return [("dynamodb:" + op, str(arn or "*"), None)]


# -- SQS / SNS ----------------------------------------------------------------------------
def _queue_arn(cloud: "Cloud", url_or_name: Any) -> str:
    if not isinstance(url_or_name, str):
        return "*"
    name = url_or_name.rstrip("/").rsplit("/", 1)[-1]
    return _arn(cloud, "sqs", name)


def _sqs(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    action = action_name("sqs", op)
    if op in ("CreateQueue", "GetQueueUrl"):
        return [(action, _queue_arn(cloud, p.get("QueueName")), None)]
    if op in ("ListQueues", "CancelMessageMoveTask"):
        return [(action, "*", None)]
    if op in ("StartMessageMoveTask", "ListMessageMoveTasks"):
        return [(action, str(p.get("SourceArn", "*")), None)]
    return [(action, _queue_arn(cloud, p.get("QueueUrl")), None)]


def _sns(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    action = action_name("sns", op)
    if op == "CreateTopic":
        return [(action, _arn(cloud, "sns", str(p.get("Name"))), None)]
    if op in ("ListTopics", "ListSubscriptions"):
        return [(action, "*", None)]
    if op in ("Unsubscribe", "GetSubscriptionAttributes", "SetSubscriptionAttributes"):
        sub = p.get("SubscriptionArn")
        return [(action, sub.rsplit(":", 1)[0] if isinstance(sub, str) else "*", None)]
    if op in ("TagResource", "UntagResource", "ListTagsForResource"):
        return [(action, str(p.get("ResourceArn", "*")), None)]
    arn = p.get("TopicArn") or p.get("TargetArn") or "*"
    return [(action, str(arn), None)]


# -- S3 -----------------------------------------------------------------------------------
def _s3(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    action = action_name("s3", op)
    bucket = p.get("Bucket")
    barn = f"arn:aws:s3:::{bucket}"
    if op == "ListBuckets":
        return [(action, "*", None)]
    if op in ("GetObject", "HeadObject") and p.get("VersionId"):
        action = "s3:GetObjectVersion"
    if op == "DeleteObject" and p.get("VersionId"):
        action = "s3:DeleteObjectVersion"
    if op == "CopyObject":
        src = p.get("CopySource")
        if isinstance(src, dict):
            src_arn = f"arn:aws:s3:::{src.get('Bucket')}/{src.get('Key')}"
        else:
            src_arn = "arn:aws:s3:::" + str(src or "").lstrip("/").split("?", 1)[0]
        return [("s3:GetObject", src_arn, None), ("s3:PutObject", f"{barn}/{p.get('Key')}", None)]
    if op == "DeleteObjects":
        objs = (p.get("Delete") or {}).get("Objects") or []
        return [("s3:DeleteObject", f"{barn}/{o.get('Key')}", None) for o in objs if isinstance(o, dict)] or \
            [("s3:DeleteObject", f"{barn}/*", None)]
    if "Key" in p:
        return [(action, f"{barn}/{p['Key']}", None)]
    if op in ("ListObjects", "ListObjectsV2", "ListObjectVersions"):
        return [(action, barn, lambda: {"s3:prefix": p.get("Prefix", ""), "s3:delimiter": p.get("Delimiter")}
                 if p.get("Delimiter") is not None else {"s3:prefix": p.get("Prefix", "")})]
    return [(action, barn, None)]


# -- Lambda -------------------------------------------------------------------------------
_FN_ARN = re.compile(r"^(?:arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):)?(?:(\d{12}):)?(?:function:)?([\w-]+)(?::([\w$-]+))?$")


def _function_arn(cloud: "Cloud", name: Any, qualifier: Any = None) -> str:
    if not isinstance(name, str):
        return "*"
    m = _FN_ARN.match(name)
    if not m:
        return _arn(cloud, "lambda", f"function:{name}")
    region, acct, fn, q = m.groups()
    q = q or (qualifier if isinstance(qualifier, str) else None)
    base = f"arn:aws:lambda:{region or cloud.region}:{acct or cloud.account_id}:function:{fn}"
    return f"{base}:{q}" if q else base


def _lambda(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    action = action_name("lambda", op)
    if op in ("ListFunctions", "GetAccountSettings", "ListEventSourceMappings", "CreateEventSourceMapping"):
        return [(action, "*", None)]
    checks: list[Check] = [(action, _function_arn(cloud, p.get("FunctionName"), p.get("Qualifier")), None)]
    role = p.get("Role")
    if op in ("CreateFunction", "UpdateFunctionConfiguration") and isinstance(role, str):
        checks.append(("iam:PassRole", role, lambda: {"iam:passedtoservice": "lambda.amazonaws.com"}))
    return checks


# -- Step Functions -----------------------------------------------------------------------
def _stepfunctions(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    action = action_name("stepfunctions", op)
    if op == "CreateStateMachine":
        checks: list[Check] = [(action, _arn(cloud, "states", f"stateMachine:{p.get('name')}"), None)]
        if isinstance(p.get("roleArn"), str):
            checks.append(("iam:PassRole", p["roleArn"], lambda: {"iam:passedtoservice": "states.amazonaws.com"}))
        return checks
    if op == "CreateActivity":
        return [(action, _arn(cloud, "states", f"activity:{p.get('name')}"), None)]
    for key in ("executionArn", "stateMachineArn", "activityArn", "resourceArn", "mapRunArn"):
        if isinstance(p.get(key), str):
            checks = [(action, p[key], None)]
            if op == "UpdateStateMachine" and isinstance(p.get("roleArn"), str):
                checks.append(("iam:PassRole", p["roleArn"],
                               lambda: {"iam:passedtoservice": "states.amazonaws.com"}))
            return checks
    return [(action, "*", None)]


# -- EventBridge and Scheduler --------------------------------------------------------------
def _bus_arn(cloud: "Cloud", name: Any) -> str:
    if isinstance(name, str) and name.startswith("arn:"):
        return name
    return _arn(cloud, "events", f"event-bus/{name or 'default'}")


def _rule_arn(cloud: "Cloud", rule: Any, bus: Any) -> str:
    bus_name = bus.rsplit("/", 1)[-1] if isinstance(bus, str) else "default"
    res = f"rule/{rule}" if bus_name == "default" else f"rule/{bus_name}/{rule}"
    return _arn(cloud, "events", res)


def _events(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    action = action_name("events", op)
    if op == "PutEvents":
        buses = _dedupe([_bus_arn(cloud, e.get("EventBusName")) for e in p.get("Entries") or []
                         if isinstance(e, dict)])
        return [(action, b, None) for b in buses] or [(action, _bus_arn(cloud, None), None)]
    if op in ("PutRule", "DescribeRule", "DeleteRule", "EnableRule", "DisableRule"):
        return [(action, _rule_arn(cloud, p.get("Name"), p.get("EventBusName")), None)]
    if op in ("PutTargets", "RemoveTargets", "ListTargetsByRule"):
        return [(action, _rule_arn(cloud, p.get("Rule"), p.get("EventBusName")), None)]
    if op in ("CreateEventBus", "DescribeEventBus", "DeleteEventBus"):
        return [(action, _bus_arn(cloud, p.get("Name")), None)]
    if op in ("CreateArchive", "DescribeArchive", "UpdateArchive", "DeleteArchive"):
        return [(action, _arn(cloud, "events", f"archive/{p.get('ArchiveName')}"), None)]
    if op in ("StartReplay", "DescribeReplay", "CancelReplay"):
        return [(action, _arn(cloud, "events", f"replay/{p.get('ReplayName')}"), None)]
    return [(action, "*", None)]


def _scheduler(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    action = action_name("scheduler", op)
    if op in ("CreateSchedule", "UpdateSchedule", "GetSchedule", "DeleteSchedule"):
        res = f"schedule/{p.get('GroupName') or 'default'}/{p.get('Name')}"
        checks: list[Check] = [(action, _arn(cloud, "scheduler", res), None)]
        target = p.get("Target")
        if op in ("CreateSchedule", "UpdateSchedule") and isinstance(target, dict) and isinstance(target.get("RoleArn"), str):
            checks.append(("iam:PassRole", target["RoleArn"],
                           lambda: {"iam:passedtoservice": "scheduler.amazonaws.com"}))
        return checks
    if op in ("CreateScheduleGroup", "GetScheduleGroup", "DeleteScheduleGroup"):
        return [(action, _arn(cloud, "scheduler", f"schedule-group/{p.get('Name')}"), None)]
    return [(action, "*", None)]


# -- identity services ---------------------------------------------------------------------
def _iam(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    action = action_name("iam", op)
    acct = cloud.account_id
    ctx = (lambda: {"iam:policyarn": p["PolicyArn"]}) if isinstance(p.get("PolicyArn"), str) else None
    if isinstance(p.get("RoleName"), str):
        store: Any = cloud.service("iam").store  # type: ignore[attr-defined]
        role = store.roles.get(p["RoleName"])
        return [(action, role.arn if role is not None else f"arn:aws:iam::{acct}:role/{p['RoleName']}", ctx)]
    if isinstance(p.get("UserName"), str):
        store = cloud.service("iam").store  # type: ignore[attr-defined]
        user = store.users.get(p["UserName"])
        return [(action, user.arn if user is not None else f"arn:aws:iam::{acct}:user/{p['UserName']}", ctx)]
    if isinstance(p.get("GroupName"), str):
        return [(action, f"arn:aws:iam::{acct}:group/{p['GroupName']}", ctx)]
    if isinstance(p.get("PolicyArn"), str):
        return [(action, p["PolicyArn"], None)]
    if op == "CreatePolicy":
        return [(action, f"arn:aws:iam::{acct}:policy{p.get('Path') or '/'}{p.get('PolicyName')}", None)]
    if isinstance(p.get("PolicySourceArn"), str):
        return [(action, p["PolicySourceArn"], None)]
    return [(action, "*", None)]


def _cognito_idp(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    action = action_name("cognito-idp", op)
    pool = p.get("UserPoolId")
    if isinstance(pool, str):
        return [(action, _arn(cloud, "cognito-idp", f"userpool/{pool}"), None)]
    return [(action, "*", None)]


def _cognito_identity(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    action = action_name("cognito-identity", op)
    pool = p.get("IdentityPoolId")
    if isinstance(pool, str):
        return [(action, _arn(cloud, "cognito-identity", f"identitypool/{pool}"), None)]
    return [(action, "*", None)]


def _logs(cloud: "Cloud", op: str, p: dict) -> list[Check]:
    action = action_name("logs", op)
    group = p.get("logGroupName")
    if isinstance(group, str):
        stream = p.get("logStreamName")
        res = f"log-group:{group}" + (f":log-stream:{stream}" if isinstance(stream, str) else ":*")
        return [(action, _arn(cloud, "logs", res), None)]
    return [(action, "*", None)]


MAPPERS: dict[str, Mapper] = {
    "dynamodb": _dynamodb, "dynamodbstreams": _dynamodbstreams, "sqs": _sqs, "sns": _sns, "s3": _s3,
    "lambda": _lambda, "stepfunctions": _stepfunctions, "events": _events, "scheduler": _scheduler,
    "iam": _iam, "cognito-idp": _cognito_idp, "cognito-identity": _cognito_identity, "logs": _logs,
}


def authorizations(cloud: "Cloud", service: str, operation: str, request: dict) -> list[Check] | None:
    """The checks IAM makes for one call; None when the call needs no IAM permission."""
    skip = UNAUTHENTICATED.get(service)
    if skip is not None and operation in skip:
        return None
    mapper = MAPPERS.get(service)
    if mapper is None:
        return [(action_name(service, operation), "*", None)]
    return mapper(cloud, operation, request)
