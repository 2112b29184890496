"""Task states: resolving a ``Resource`` and calling the Cloud's services through their wire
operations.

Supported resources (DG integrate-services, connect-to-resource):

- a Lambda function ARN (``arn:aws:lambda:...:function:f``): the result is the function's
  payload; history ``LambdaFunctionScheduled/Started/Succeeded/Failed``;
- optimized integrations ``arn:aws:states:::<service>:<action>`` with the patterns
  request-response, ``.sync`` / ``.sync:2`` (nested Step Functions) and ``.waitForTaskToken``:
  ``lambda:invoke`` (result ``{ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata,
  StatusCode}``), ``dynamodb:getItem|putItem|updateItem|deleteItem``, ``states:startExecution``,
  and any other ``<service>:<action>`` the Cloud offers (``sqs:sendMessage``, ``sns:publish``,
  ``events:putEvents``...) as a plain wire call; history ``TaskScheduled/Started/Submitted/
  Succeeded/Failed/TimedOut``;
- SDK integrations ``arn:aws:states:::aws-sdk:<service>:<action>`` (errors named
  ``<Service>.<Code>``);
- activities ``arn:aws:states:<region>:<account>:activity:<name>`` (workers poll with
  GetActivityTask and answer with SendTaskSuccess/Failure/Heartbeat).

Errors: a Lambda function error becomes the function's ``errorType`` with the error payload as
cause; a Lambda service error ``Lambda.<Code>``; a DynamoDB error ``DynamoDB.<Code>``.

A *mock configuration* in the format of Step Functions Local
(https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html) replaces
the call for the states a test case names: ``service.mock_config = {...}`` and start the
execution on ``<stateMachineArn>#<TestCase>``. Each mocked response maps invocation indexes
(``"0"``, ``"1-2"``; retries count) to ``{"Return": value}`` or ``{"Throw": {"Error", "Cause"}}``.

Lambda timing: when the Cloud's Lambda service offers the engine's non-blocking
``submit(name, event, qualifier=..., on_complete=...)``, the task completes at the invocation's
end instant (its modelled duration); otherwise (a stub service with only the wire ``Invoke``)
the task completes at the instant the synchronous call returns.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..kernel.errors import AWSError
from .asl.jsonata_mode import evaluate_value
from .asl.states import JSONATA, UNSET, State
from .asl.templates import dumps
from .errors import StatesError

if TYPE_CHECKING:
    from .executions import Frame
    from .service import StepFunctions

_SERVICE_NAMES = {"states": "stepfunctions", "sfn": "stepfunctions", "lambda": "lambda",
                  "dynamodb": "dynamodb", "sqs": "sqs", "sns": "sns", "events": "events",
                  "s3": "s3"}
_SDK_PREFIX = {"dynamodb": "DynamoDb", "sfn": "Sfn", "s3": "S3", "lambda": "Lambda",
               "sqs": "Sqs", "sns": "Sns", "eventbridge": "EventBridge"}

_ACTIVITY = re.compile(r"^arn:aws[\w-]*:states:[\w-]+:\d{12}:activity:(.+)$")
_LAMBDA_ARN = re.compile(r"^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[^:]+(:[^:]+)?$")
_STATES = re.compile(r"^arn:aws[\w-]*:states:::(.+)$")


class Resource:
    """A parsed ``Resource`` ARN."""

    __slots__ = ("arn", "kind", "service", "action", "pattern", "resource_type", "resource")

    def __init__(self, arn: str, kind: str, service: str = "", action: str = "",
                 pattern: str = "", resource_type: str = "", resource: str = "") -> None:
        self.arn = arn
        self.kind = kind  # lambda_arn | activity | optimized | sdk | unknown
        self.service = service
        self.action = action
        self.pattern = pattern  # "" | ".sync" | ".sync:2" | ".waitForTaskToken"
        self.resource_type = resource_type
        self.resource = resource


_CACHE: dict[str, Resource] = {}


def parse_resource(arn: str) -> Resource:
    r = _CACHE.get(arn)
    if r is not None:
        return r
    if _LAMBDA_ARN.match(arn):
        r = Resource(arn, "lambda_arn", "lambda", "invoke")
    elif _ACTIVITY.match(arn):
        r = Resource(arn, "activity")
    else:
        m = _STATES.match(arn)
        if not m:
            r = Resource(arn, "unknown")
        else:
            rest = m.group(1)
            pattern = ""
            for suffix in (".waitForTaskToken", ".sync:2", ".sync"):
                if rest.endswith(suffix):
                    pattern, rest = suffix, rest[: -len(suffix)]
                    break
            parts = rest.split(":")
            if parts[0] == "aws-sdk" and len(parts) == 3:
                r = Resource(arn, "sdk", parts[1], parts[2], pattern, f"aws-sdk:{parts[1]}",
                             parts[2] + pattern)
            elif len(parts) == 2:
                r = Resource(arn, "optimized", parts[0], parts[1], pattern, parts[0],
                             parts[1] + pattern)
            else:
                r = Resource(arn, "unknown")
    _CACHE[arn] = r
    return r


def jsonable(v: Any) -> Any:
    """Wire responses to JSON data (datetimes -> ISO text, bytes -> base64, Decimal -> number)."""
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items() if k != "ResponseMetadata"}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode()
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, set):
        return sorted(jsonable(x) for x in v)
    return v


def _aws_cause(err: AWSError, service: str, rid: str) -> str:
    return (f"{err.message} (Service: {service}; Status Code: {err.status}; Error Code: "
            f"{err.code}; Request ID: {rid}; Proxy: null)")


# Optimized integrations name their errors ``<PREFIX>.<SDK exception class>``
# (``SQS.QueueDoesNotExistException``, ``SNS.NotFoundException``,
# ``DynamoDB.ConditionalCheckFailedException``); their results carry the SDK's HTTP metadata.
_OPTIMIZED_PREFIX = {"dynamodb": "DynamoDB", "sqs": "SQS", "sns": "SNS", "events": "EventBridge"}
_CONTENT_TYPE = {"dynamodb": "application/x-amz-json-1.0", "sqs": "text/xml", "sns": "text/xml"}


def _error_name(err: AWSError) -> str:
    """The SDK exception name of a wire error: the error's code, or (for query-compatible codes
    such as SQS's ``AWS.SimpleQueueService.NonExistentQueue``) its modelled class name."""
    code = err.code
    if "." in code:
        return type(err).__name__
    return code


def _optimized_request(res: Resource, request: dict[str, Any], frame: Any) -> dict[str, Any]:
    """What an optimized integration sends: JSON bodies given as objects become JSON text;
    ``events:putEvents`` appends the execution's and state machine's ARNs to each entry's
    Resources (DG connect-eventbridge)."""
    svc, action = res.service, res.action
    if svc == "sqs" and action == "sendMessage" and "MessageBody" in request \
            and type(request["MessageBody"]) is not str:
        request["MessageBody"] = dumps(request["MessageBody"])
    elif svc == "sns" and action == "publish" and "Message" in request \
            and type(request["Message"]) is not str:
        request["Message"] = dumps(request["Message"])
    elif svc == "events" and action == "putEvents" and type(request.get("Entries")) is list:
        entries = []
        for e in request["Entries"]:
            if type(e) is dict:
                e = dict(e)
                if "Detail" in e and type(e["Detail"]) is not str:
                    e["Detail"] = dumps(e["Detail"])
                if frame is not None:
                    e["Resources"] = list(e.get("Resources") or []) + [
                        frame.ex.machine_arn, frame.ex.arn]
            entries.append(e)
        request["Entries"] = entries
    return request


def _optimized_result(res: Resource, out: Any, rid: str, request: dict[str, Any]) -> Any:
    if res.service == "events" and res.action == "putEvents" and type(out) is dict \
            and out.get("FailedEntryCount"):
        raise StatesError("EventBridge.FailedEntry", dumps(out))
    ctype = _CONTENT_TYPE.get(res.service)
    if ctype is None or type(out) is not dict:
        return out
    out = dict(out)
    out["SdkHttpMetadata"] = {
        "AllHttpHeaders": {"x-amzn-RequestId": [rid], "Content-Type": [ctype]},
        "HttpHeaders": {"x-amzn-RequestId": rid, "Content-Type": ctype},
        "HttpStatusCode": 200,
    }
    out["SdkResponseMetadata"] = {"RequestId": rid}
    return out


class TaskRun:
    """The task in flight in a frame."""

    __slots__ = ("attempt", "res", "token", "heartbeat", "kind", "child_arn", "activity")

    def __init__(self, attempt: int, res: Resource) -> None:
        self.attempt = attempt
        self.res = res
        self.token: str | None = None
        self.heartbeat: int | None = None
        self.kind = "lambda" if res.kind == "lambda_arn" else (
            "activity" if res.kind == "activity" else "task")
        self.child_arn: str | None = None
        self.activity: str | None = None


class Integrations:
    """The service's task runner (one per StepFunctions service)."""

    def __init__(self, service: "StepFunctions") -> None:
        self.service = service
        self.cloud = service.cloud

    # -- start ----------------------------------------------------------------------------
    def start(self, f: "Frame", st: State, data: Any) -> None:
        ex = f.ex
        res = parse_resource(st.resource or "")
        run = TaskRun(f.attempt, res)
        if res.pattern == ".waitForTaskToken" or res.kind == "activity":
            run.token = f.task_token = self.service._new_token()
        # arguments
        if st.ql == JSONATA:
            args = data if st.arguments is UNSET else evaluate_value(
                st.arguments, f.bindings(data), "Arguments")
            eff = data
        else:
            eff = f.input_path(st, data)
            args = eff if st.parameters is None else f._template(st.parameters, eff,
                                                                 "Parameters")
        timeout = self._seconds(f, st, eff, "timeout")
        heartbeat = self._seconds(f, st, eff, "heartbeat")
        run.heartbeat = heartbeat
        f.task = run
        # history: scheduled + started
        if res.kind == "lambda_arn":
            d: dict[str, Any] = {"resource": res.arn, "input": args}
            if timeout is not None:
                d["timeoutInSeconds"] = timeout
            f.last_id = ex.event("LambdaFunctionScheduled", f.last_id, d)
        elif res.kind == "activity":
            d = {"resource": res.arn, "input": args}
            if timeout is not None:
                d["timeoutInSeconds"] = timeout
            if heartbeat is not None:
                d["heartbeatInSeconds"] = heartbeat
            f.last_id = ex.event("ActivityScheduled", f.last_id, d)
        else:
            d = {"resourceType": res.resource_type, "resource": res.resource,
                 "region": self.cloud.region, "parameters": args}
            if timeout is not None:
                d["timeoutInSeconds"] = timeout
            if heartbeat is not None:
                d["heartbeatInSeconds"] = heartbeat
            f.last_id = ex.event("TaskScheduled", f.last_id, d)
        if timeout is not None:
            f.timers.append(self.cloud.call_later(timeout, self.timed_out, f, run.attempt,
                                                  "States.Timeout"))
        if heartbeat is not None and (run.token is not None or res.kind == "activity"):
            f.timers.append(self.cloud.call_later(heartbeat, self.timed_out, f, run.attempt,
                                                  "States.HeartbeatTimeout"))
        if run.token is not None:
            self.service.tokens[run.token] = (f, run.attempt)
        if res.kind == "activity":
            self.service._enqueue_activity(res.arn, run.token or "", args, f)
            return
        if res.kind == "lambda_arn":
            f.last_id = ex.event("LambdaFunctionStarted", f.last_id, None)
        else:
            f.last_id = ex.event("TaskStarted", f.last_id,
                                 {"resourceType": res.resource_type, "resource": res.resource})
        try:
            mocked = self._mock(f, st)
            if mocked is not _NO_MOCK:
                result = mocked
            else:
                result = self._call(f, run, args)
        except StatesError as err:
            self.failed(f, run.attempt, err)
            return
        if result is _PENDING:
            return
        if run.token is not None and mocked is _NO_MOCK:
            # .waitForTaskToken: the call was made; wait for SendTaskSuccess/Failure.
            f.last_id = ex.event("TaskSubmitted", f.last_id,
                                 {"resourceType": res.resource_type, "resource": res.resource,
                                  "output": jsonable(result)})
            return
        self.succeeded(f, run.attempt, result)

    def _seconds(self, f: "Frame", st: State, eff: Any, which: str) -> int | None:
        v = st.timeout if which == "timeout" else st.heartbeat
        p = st.timeout_path if which == "timeout" else st.heartbeat_path
        field = "TimeoutSeconds" if which == "timeout" else "HeartbeatSeconds"
        if p is not None:
            v = f._apply_path(p, eff, field + "Path")
            if type(v) is not int or v <= 0:
                from .executions import _runtime

                raise _runtime(f, f"The value of the field '{field}Path' must be a positive "
                                  f"integer, got {dumps(v)}")
        elif type(v) is str:
            v = evaluate_value(v, f.bindings(f.raw_input), field)
            if type(v) is not int or v <= 0:
                raise StatesError("States.QueryEvaluationError",
                                  f"The {field} field must evaluate to a positive integer")
        return v  # type: ignore[no-any-return]

    def _mock(self, f: "Frame", st: State) -> Any:
        ex = f.ex
        cfg = self.service.mock_config
        if ex.test_case is None or not cfg:
            return _NO_MOCK
        case = (((cfg.get("StateMachines") or {}).get(ex.machine_name) or {})
                .get("TestCases") or {}).get(ex.test_case) or {}
        name = case.get(st.name)
        if name is None:
            return _NO_MOCK
        responses = (cfg.get("MockedResponses") or {}).get(name)
        if responses is None:
            raise StatesError("States.Runtime", f"Mocked response {name!r} is not defined")
        n = ex.mock_counts.get(st.name, 0)
        ex.mock_counts[st.name] = n + 1
        for key, resp in responses.items():
            lo, _, hi = str(key).partition("-")
            if int(lo) <= n <= int(hi or lo):
                if "Throw" in resp:
                    t = resp["Throw"]
                    raise StatesError(t.get("Error", ""), t.get("Cause", ""))
                return resp.get("Return")
        raise StatesError("States.Runtime", f"Mocked response {name!r} has no entry for "
                                            f"invocation {n}")

    # -- calls ----------------------------------------------------------------------------
    def _call(self, f: "Frame", run: TaskRun, args: Any) -> Any:
        res = run.res
        if res.kind == "lambda_arn":
            return self._lambda(res.arn, args, plain=True, frame=f, run=run)
        if res.kind == "unknown":
            raise StatesError("States.TaskFailed", f"The resource '{res.arn}' is not supported "
                                                   "by serverless_sim")
        if res.kind == "optimized":
            if res.service == "lambda" and res.action == "invoke":
                if type(args) is not dict or "FunctionName" not in args:
                    raise StatesError("States.Runtime", "The field 'FunctionName' is required "
                                      "for the lambda:invoke integration")
                return self._lambda(args["FunctionName"], args.get("Payload"), plain=False,
                                    extra=args, frame=f, run=run)
            if res.service == "states" and res.action == "startExecution":
                return self._start_execution(f, run, args)
            return self._wire(res, args, sdk=False, frame=f)
        return self._wire(res, args, sdk=True)

    def _lambda(self, function: Any, payload: Any, plain: bool,
                extra: dict[str, Any] | None = None, frame: Any = None,
                run: TaskRun | None = None) -> Any:
        try:
            svc = self.cloud.service("lambda")
        except Exception:
            raise StatesError("Lambda.ServiceException", "The Lambda service is not available "
                                                         "in this Cloud") from None
        submit = getattr(svc, "submit", None)
        if (submit is not None and frame is not None and run is not None and run.token is None
                and (extra or {}).get("InvocationType", "RequestResponse") == "RequestResponse"):
            # The Lambda engine's non-blocking path: the task completes at the invocation's
            # end instant (its modelled duration), not when the call returns.
            rid = self.cloud.request_id()
            try:
                submit(function, payload, qualifier=(extra or {}).get("Qualifier"),
                       on_complete=_LambdaDone(self, frame, run.attempt, plain, rid))
            except AWSError as err:
                raise StatesError(f"Lambda.{err.code}", _aws_cause(err, "AWSLambda", rid)) \
                    from None
            return _PENDING
        request: dict[str, Any] = {"FunctionName": function,
                                   "Payload": json.dumps(payload).encode()}
        if extra:
            for k in ("InvocationType", "Qualifier", "ClientContext", "LogType"):
                if k in extra:
                    request[k] = extra[k]
        rid = self.cloud.request_id()
        try:
            resp = svc.dispatch("Invoke", request)
        except AWSError as err:
            raise StatesError(f"Lambda.{err.code}", _aws_cause(err, "AWSLambda", rid)) from None
        body = resp.get("Payload", b"")
        raw = body.read() if hasattr(body, "read") else body
        if isinstance(raw, str):
            raw = raw.encode()
        text = (raw or b"").decode("utf-8", "replace")
        return self.lambda_result(text, resp.get("FunctionError"), resp.get("ExecutedVersion", "$LATEST"),
                                  resp.get("StatusCode", 200), plain, rid)

    def lambda_result(self, text: str, function_error: Any, version: str, status: int,
                      plain: bool, rid: str) -> Any:
        """The task result (or StatesError) for a Lambda response."""
        try:
            value = json.loads(text) if text else None
        except ValueError:
            value = text
        if function_error:
            err_type = value.get("errorType") if isinstance(value, dict) else None
            raise StatesError(err_type or "Lambda.Unknown", text)
        if plain:
            return value
        return {
            "ExecutedVersion": version,
            "Payload": value,
            "SdkHttpMetadata": {
                "AllHttpHeaders": {"X-Amz-Executed-Version": [version],
                                   "x-amzn-RequestId": [rid],
                                   "Content-Type": ["application/json"]},
                "HttpHeaders": {"X-Amz-Executed-Version": version, "x-amzn-RequestId": rid,
                                "Content-Type": "application/json"},
                "HttpStatusCode": status,
            },
            "SdkResponseMetadata": {"RequestId": rid},
            "StatusCode": status,
        }

    def _wire(self, res: Resource, args: Any, sdk: bool, frame: Any = None) -> Any:
        name = _SERVICE_NAMES.get(res.service, res.service)
        prefix = _SDK_PREFIX.get(res.service, res.service[:1].upper() + res.service[1:]) if sdk \
            else _OPTIMIZED_PREFIX.get(res.service, res.service[:1].upper() + res.service[1:])
        try:
            svc = self.cloud.service(name)
        except Exception:
            raise StatesError("States.Runtime", f"The resource '{res.arn}' is not supported: "
                                                f"no service {name!r} in this Cloud") from None
        action = res.action[:1].upper() + res.action[1:]
        if action not in svc.operations:
            raise StatesError("States.Runtime", f"The resource '{res.arn}' is not supported: "
                                                f"{name} has no action {action}")
        request = dict(args) if type(args) is dict else {}
        if not sdk:
            request = _optimized_request(res, request, frame)
        rid = self.cloud.request_id()
        try:
            resp = svc.dispatch(action, request)
        except AWSError as err:
            code = _error_name(err)
            if (sdk or res.service in _OPTIMIZED_PREFIX) and not code.endswith("Exception"):
                code += "Exception"
            raise StatesError(f"{prefix}.{code}", _aws_cause(err, prefix, rid)) from None
        out = jsonable(resp)
        if not sdk:
            out = _optimized_result(res, out, rid, request)
        return out

    def _start_execution(self, f: "Frame", run: TaskRun, args: Any) -> Any:
        if type(args) is not dict or "StateMachineArn" not in args:
            raise StatesError("States.Runtime", "The field 'StateMachineArn' is required for "
                                                "the states:startExecution integration")
        request = {"stateMachineArn": args["StateMachineArn"]}
        inp = args.get("Input")
        if inp is not None:
            request["input"] = inp if type(inp) is str else dumps(inp)
        if "Name" in args:
            request["name"] = args["Name"]
        rid = self.cloud.request_id()
        try:
            resp = self.service.start_execution(request)
        except AWSError as err:
            raise StatesError(f"StepFunctions.{err.code}Exception",
                              _aws_cause(err, "AWSStepFunctions", rid)) from None
        child = self.service.executions[resp["executionArn"]]
        child.parent_token = None
        started = {"ExecutionArn": child.arn, "StartDate": child.start_us // 1000}
        if not run.res.pattern.startswith(".sync"):
            return started
        run.child_arn = child.arn
        f.last_id = f.ex.event("TaskSubmitted", f.last_id,
                               {"resourceType": run.res.resource_type,
                                "resource": run.res.resource, "output": started})
        child.waiters.append(_ChildWaiter(self, f, run.attempt, run.res.pattern))
        return _PENDING

    # -- completion -----------------------------------------------------------------------
    def succeeded(self, f: "Frame", attempt: int, result: Any) -> None:
        if not f.alive or f.attempt != attempt or f.task is None:
            return
        run = f.task
        f.task = None
        if run.token is not None:
            self.service.tokens.pop(run.token, None)
        f.cancel_timers()
        ex = f.ex
        res = run.res
        if run.kind == "lambda":
            f.last_id = ex.event("LambdaFunctionSucceeded", f.last_id, {"output": result})
        elif run.kind == "activity":
            f.last_id = ex.event("ActivitySucceeded", f.last_id, {"output": result})
        else:
            f.last_id = ex.event("TaskSucceeded", f.last_id,
                                 {"resourceType": res.resource_type, "resource": res.resource,
                                  "output": result})
        try:
            f.check_size(result)
        except StatesError as err:
            f.on_error(err)
            return
        f.finish(f.state, result)

    def failed(self, f: "Frame", attempt: int, err: StatesError) -> None:
        if not f.alive or f.attempt != attempt or f.task is None:
            return
        run = f.task
        f.task = None
        if run.token is not None:
            self.service.tokens.pop(run.token, None)
        f.cancel_timers()
        ex = f.ex
        details: dict[str, Any] = {"error": err.error}
        if err.cause is not None:
            details["cause"] = err.cause
        if err.error == "States.Runtime":
            pass
        elif run.kind == "lambda":
            f.last_id = ex.event("LambdaFunctionFailed", f.last_id, details)
        elif run.kind == "activity":
            f.last_id = ex.event("ActivityFailed", f.last_id, details)
        else:
            f.last_id = ex.event("TaskFailed", f.last_id,
                                 {"resourceType": run.res.resource_type,
                                  "resource": run.res.resource, **details})
        f.on_error(err)

    def timed_out(self, f: "Frame", attempt: int, error: str) -> None:
        if not f.alive or f.attempt != attempt or f.task is None:
            return
        run = f.task
        f.task = None
        if run.token is not None:
            self.service.tokens.pop(run.token, None)
            self.service._forget_activity_token(run.token)
        f.cancel_timers()
        ex = f.ex
        if run.kind == "lambda":
            f.last_id = ex.event("LambdaFunctionTimedOut", f.last_id, {"error": error})
        elif run.kind == "activity":
            f.last_id = ex.event("ActivityTimedOut", f.last_id, {"error": error})
        else:
            f.last_id = ex.event("TaskTimedOut", f.last_id,
                                 {"resourceType": run.res.resource_type,
                                  "resource": run.res.resource, "error": error})
        f.on_error(StatesError(error, None))

    def heartbeat(self, f: "Frame", attempt: int) -> None:
        run = f.task
        if run is None or run.heartbeat is None:
            return
        # Replace the heartbeat deadline (the first timer is the task timeout, if any).
        cloud = self.cloud
        keep = []
        for h in f.timers:
            if h[2] == self.timed_out and h[3][2] == "States.HeartbeatTimeout":
                cloud.cancel(h)
            else:
                keep.append(h)
        keep.append(cloud.call_later(run.heartbeat, self.timed_out, f, attempt,
                                     "States.HeartbeatTimeout"))
        f.timers = keep

    # -- distributed map ------------------------------------------------------------------
    def read_items(self, f: "Frame", st: State, eff: Any, items: Any) -> list[Any]:
        reader = st.item_reader
        if not reader:
            return items  # type: ignore[no-any-return]
        cfg = reader.get("ReaderConfig") or {}
        params = reader.get("Parameters") or reader.get("Arguments") or {}
        if params:
            params = self._io_params(f, st, eff, params, "ItemReader")
        resource = reader.get("Resource", "")
        max_items = cfg.get("MaxItems")
        if "MaxItemsPath" in cfg and st.ql != JSONATA:
            from .asl.paths import parse_path

            max_items = f._apply_path(parse_path(cfg["MaxItemsPath"]), eff, "MaxItemsPath")
        elif st.ql == JSONATA and type(max_items) is str:
            max_items = evaluate_value(max_items, f.bindings(f.raw_input), "MaxItems")
        if max_items is not None and (type(max_items) is not int or max_items < 0):
            from .executions import _runtime

            raise _runtime(f, f"The value of the field 'MaxItems' must be a non-negative "
                              f"integer, got {dumps(max_items)}")
        hook = self.service.item_reader
        try:
            if hook is not None:
                out = hook(resource, params, cfg)
            elif resource.startswith("arn:aws:states:::s3:"):
                from .itemio import read_s3_items

                out = read_s3_items(self.cloud, resource, params, cfg, max_items or None)
            elif type(items) is list:
                out = items
            else:
                raise StatesError("States.ItemReaderFailed",
                                  "No item reader is configured for this ItemReader")
        except StatesError:
            raise
        except Exception as exc:  # a user hook failing
            raise StatesError("States.ItemReaderFailed", str(exc)) from None
        if type(out) is not list:
            raise StatesError("States.ItemReaderFailed", "The item reader did not return an "
                                                         "array")
        if type(max_items) is int and max_items > 0:
            out = out[:max_items]
        return out

    def _io_params(self, f: "Frame", st: State, eff: Any, params: Any, field: str) -> Any:
        """An ItemReader's / ResultWriter's Parameters (JSONPath) or Arguments (JSONata)."""
        if st.ql == JSONATA:
            return evaluate_value(params, f.bindings(f.raw_input), "Arguments")
        from .asl.templates import compile_template

        return f._template(compile_template(params), eff, f"{field}.Parameters")

    def write_results(self, f: "Frame", st: State, results: list[Any],
                      map_run_arn: str | None = None, items: list[Any] | None = None) -> Any:
        writer = st.result_writer
        fan_arn = map_run_arn
        if fan_arn is None and f.fan is not None:
            fan_arn = f.fan.map_run_arn
        if not writer:
            return results
        cfg = writer.get("WriterConfig") or {}
        params = writer.get("Parameters") or writer.get("Arguments") or {}
        hook = self.service.result_writer
        resource = writer.get("Resource")
        if hook is None and resource is None:
            from .itemio import transform

            return transform(results, cfg)
        run = self.service.map_runs.get(fan_arn or "")
        if hook is None and run is not None:
            from .itemio import PUT_OBJECT, write_s3_results

            if resource != PUT_OBJECT:
                raise StatesError("States.ResultWriterFailed",
                                  f"Unsupported ResultWriter resource: {resource}")
            eff = f.eff_input
            params = self._io_params(f, st, eff, params, "ResultWriter")
            return write_s3_results(self.service, run, params, cfg, items or [])
        if hook is not None:
            try:
                hook(writer.get("Resource", ""), params, results)
            except Exception as exc:
                raise StatesError("States.ResultWriterFailed", str(exc)) from None
        self.service.map_run_results[str(fan_arn)] = results
        return {"MapRunArn": fan_arn,
                "ResultWriterDetails": {"Bucket": params.get("Bucket"),
                                        "Key": f"{params.get('Prefix', '')}/manifest.json"}}


class _LambdaDone:
    """Called by the Lambda engine at an invocation's completion instant."""

    __slots__ = ("integrations", "frame", "attempt", "plain", "rid")

    def __init__(self, integrations: Integrations, frame: "Frame", attempt: int, plain: bool,
                 rid: str) -> None:
        self.integrations = integrations
        self.frame = frame
        self.attempt = attempt
        self.plain = plain
        self.rid = rid

    def __call__(self, inv: Any) -> None:
        def get(name: str) -> Any:
            v = getattr(inv, name)
            return v() if callable(v) else v

        text = get("payload_bytes").decode("utf-8", "replace")
        try:
            result = self.integrations.lambda_result(
                text, get("function_error"), get("executed_version"), get("status_code"),
                self.plain, self.rid)
        except StatesError as err:
            self.integrations.failed(self.frame, self.attempt, err)
            return
        self.integrations.succeeded(self.frame, self.attempt, result)


class _ChildWaiter:
    """Called when a nested execution started with ``.sync`` / ``.sync:2`` closes."""

    __slots__ = ("integrations", "frame", "attempt", "pattern")

    def __init__(self, integrations: Integrations, frame: "Frame", attempt: int,
                 pattern: str) -> None:
        self.integrations = integrations
        self.frame = frame
        self.attempt = attempt
        self.pattern = pattern

    def __call__(self, child: Any) -> None:
        desc = self.integrations.service.describe_execution_data(child)
        if self.pattern == ".sync:2" and desc.get("Output") is not None:
            desc["Output"] = json.loads(desc["Output"])
        if child.status == "SUCCEEDED":
            self.integrations.succeeded(self.frame, self.attempt, desc)
        else:
            self.integrations.failed(self.frame, self.attempt,
                                     StatesError("States.TaskFailed", dumps(desc)))


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __deepcopy__(self, memo: Any) -> "_Marker":
        return self


_PENDING = _Marker("PENDING")
_NO_MOCK = _Marker("NO_MOCK")
