"""Waiters for the generated clients: ``client.get_waiter("table_exists").wait(TableName="t")``.

A waiter calls one operation until an *acceptor* matches (botocore's ``waiters-2.json`` model,
written here as our own data in :data:`WAITERS`). Between attempts it **advances the Cloud's
virtual clock** by the waiter's delay instead of sleeping, so whatever AWS would finish in the
meantime (a table leaving CREATING, a function becoming Active) happens, and a test never waits
in real time. ``WaiterConfig={"Delay": s, "MaxAttempts": n}`` overrides the defaults.

Acceptor matchers: ``path`` (the value at a path equals the expected one), ``pathAll`` /
``pathAny`` (all / any element of a list at the path), ``status`` (HTTP status), ``error``
(the error code; ``True`` = any error, ``False`` = no error). Paths are dotted member names with
``[]`` list projections (``Table.TableStatus``, ``Destinations[].Status``), which is all the
modelled waiters use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.errors import AWSError, SimError

if TYPE_CHECKING:
    from .client import ServiceClient


@attrs.frozen
class Acceptor:
    state: str  # "success" | "failure" | "retry"
    matcher: str  # "path" | "pathAll" | "pathAny" | "status" | "error"
    expected: Any
    argument: str | None = None


@attrs.frozen
class WaiterSpec:
    operation: str
    delay: int
    max_attempts: int
    acceptors: tuple[Acceptor, ...]


def _a(state: str, matcher: str, expected: Any, argument: str | None = None) -> Acceptor:
    return Acceptor(state, matcher, expected, argument)


#: Service name -> waiter name (botocore's CamelCase) -> spec.
WAITERS: dict[str, dict[str, WaiterSpec]] = {
    "dynamodb": {
        "TableExists": WaiterSpec("DescribeTable", 20, 25, (
            _a("success", "path", "ACTIVE", "Table.TableStatus"),
            _a("retry", "error", "ResourceNotFoundException"),
        )),
        "TableNotExists": WaiterSpec("DescribeTable", 20, 25, (
            _a("success", "error", "ResourceNotFoundException"),
        )),
    },
    "s3": {
        "BucketExists": WaiterSpec("HeadBucket", 5, 20, (
            _a("success", "status", 200),
            _a("success", "status", 301),
            _a("success", "status", 403),
            _a("retry", "status", 404),
        )),
        "BucketNotExists": WaiterSpec("HeadBucket", 5, 20, (
            _a("success", "status", 404),
        )),
        "ObjectExists": WaiterSpec("HeadObject", 5, 20, (
            _a("success", "status", 200),
            _a("retry", "status", 404),
        )),
        "ObjectNotExists": WaiterSpec("HeadObject", 5, 20, (
            _a("success", "status", 404),
        )),
    },
    "iam": {
        "InstanceProfileExists": WaiterSpec("GetInstanceProfile", 1, 40, (
            _a("success", "status", 200),
            _a("retry", "status", 404),
        )),
        "PolicyExists": WaiterSpec("GetPolicy", 1, 20, (
            _a("success", "status", 200),
            _a("retry", "error", "NoSuchEntity"),
        )),
        "RoleExists": WaiterSpec("GetRole", 1, 20, (
            _a("success", "status", 200),
            _a("retry", "error", "NoSuchEntity"),
        )),
        "UserExists": WaiterSpec("GetUser", 1, 20, (
            _a("success", "status", 200),
            _a("retry", "error", "NoSuchEntity"),
        )),
    },
    "lambda": {
        "FunctionExists": WaiterSpec("GetFunction", 1, 20, (
            _a("success", "error", False),
            _a("retry", "error", "ResourceNotFoundException"),
        )),
        "FunctionActive": WaiterSpec("GetFunctionConfiguration", 5, 60, (
            _a("success", "path", "Active", "State"),
            _a("failure", "path", "Failed", "State"),
            _a("retry", "path", "Pending", "State"),
        )),
        "FunctionActiveV2": WaiterSpec("GetFunction", 1, 300, (
            _a("success", "path", "Active", "Configuration.State"),
            _a("failure", "path", "Failed", "Configuration.State"),
            _a("retry", "path", "Pending", "Configuration.State"),
        )),
        "FunctionUpdated": WaiterSpec("GetFunctionConfiguration", 5, 60, (
            _a("success", "path", "Successful", "LastUpdateStatus"),
            _a("failure", "path", "Failed", "LastUpdateStatus"),
            _a("retry", "path", "InProgress", "LastUpdateStatus"),
        )),
        "FunctionUpdatedV2": WaiterSpec("GetFunction", 1, 300, (
            _a("success", "path", "Successful", "Configuration.LastUpdateStatus"),
            _a("failure", "path", "Failed", "Configuration.LastUpdateStatus"),
            _a("retry", "path", "InProgress", "Configuration.LastUpdateStatus"),
        )),
        "PublishedVersionActive": WaiterSpec("GetFunctionConfiguration", 5, 312, (
            _a("success", "path", "Active", "State"),
            _a("failure", "path", "Failed", "State"),
            _a("retry", "path", "Pending", "State"),
        )),
    },
}


class WaiterError(Exception):
    """A waiter gave up (botocore's ``WaiterError``: ``name``, ``reason``, ``last_response``)."""

    def __init__(self, name: str, reason: str, last_response: dict[str, Any]) -> None:
        super().__init__(f"Waiter {name} failed: {reason}")
        self.name = name
        self.reason = reason
        self.last_response = last_response

    # botocore's WaiterError keeps the message in ``kwargs`` too; tests read ``.kwargs["reason"]``.
    @property
    def kwargs(self) -> dict[str, Any]:
        return {"name": self.name, "reason": self.reason, "last_response": self.last_response}


_MISSING = object()


def search_path(path: str, data: Any) -> Any:
    """The value at a dotted path with ``[]`` projections; ``None`` where a member is missing."""
    current: Any = data
    projected = False
    for raw in path.split("."):
        flatten = raw.endswith("[]")
        name = raw[:-2] if flatten else raw
        if projected:
            current = [_member(v, name) for v in current]
            current = [v for v in current if v is not None]
            if flatten:
                current = [x for v in current if isinstance(v, list) for x in v]
        else:
            current = _member(current, name)
            if flatten:
                if not isinstance(current, list):
                    return None
                projected = True
    return current


def _member(value: Any, name: str) -> Any:
    if name == "":
        return value
    return value.get(name) if isinstance(value, dict) else None


def _matches(acceptor: Acceptor, response: dict[str, Any]) -> bool:
    error = response.get("Error")
    if acceptor.matcher == "error":
        if acceptor.expected is True:
            return error is not None
        if acceptor.expected is False:
            return error is None
        return error is not None and error.get("Code") == acceptor.expected
    if acceptor.matcher == "status":
        return response.get("ResponseMetadata", {}).get("HTTPStatusCode") == acceptor.expected
    if error is not None:
        return False
    value = search_path(acceptor.argument or "", response)
    if acceptor.matcher == "path":
        return bool(value == acceptor.expected)
    if not isinstance(value, list) or not value:
        return False
    if acceptor.matcher == "pathAll":
        return all(v == acceptor.expected for v in value)
    if acceptor.matcher == "pathAny":
        return any(v == acceptor.expected for v in value)
    raise SimError(f"unknown waiter matcher {acceptor.matcher!r}")


class Waiter:
    """``client.get_waiter(name)``; ``wait(**params)`` returns ``None`` or raises
    :class:`WaiterError`. Each retry advances the Cloud's clock by the delay (no real sleep)."""

    def __init__(self, client: "ServiceClient", name: str, spec: WaiterSpec) -> None:
        self._client = client
        self.name = name
        self.spec = spec

    def wait(self, **kwargs: Any) -> None:
        config = dict(kwargs.pop("WaiterConfig", None) or {})
        delay = config.get("Delay", self.spec.delay)
        max_attempts = config.get("MaxAttempts", self.spec.max_attempts)
        from .client import snake_case

        call = getattr(self._client, snake_case(self.spec.operation))
        cloud = self._client._cloud
        attempts = 0
        while True:
            try:
                response = call(**kwargs)
            except AWSError as err:
                response = err.response
            attempts += 1
            state = None
            for acceptor in self.spec.acceptors:
                if _matches(acceptor, response):
                    state = acceptor
                    break
            if state is not None and state.state == "success":
                return None
            if state is not None and state.state == "failure":
                raise WaiterError(
                    self.name,
                    "Waiter encountered a terminal failure state: For expression "
                    f'"{state.argument}" we matched expected path: "{state.expected}"'
                    if state.matcher.startswith("path")
                    else "Waiter encountered a terminal failure state",
                    response,
                )
            if state is None and "Error" in response:
                raise WaiterError(
                    self.name,
                    f"An error occurred ({response['Error'].get('Code')}): "
                    f"{response['Error'].get('Message')}",
                    response,
                )
            if attempts >= max_attempts:
                raise WaiterError(self.name, "Max attempts exceeded", response)
            cloud.advance(delay)

    def __repr__(self) -> str:
        return f"<Waiter {self.name}>"
