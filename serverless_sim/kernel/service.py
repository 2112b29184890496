"""The base of every simulated service and its wire operations.

A service is a stateful object of one Cloud. Its *wire operations* (one per AWS action) take the
request exactly as boto3's client passes it (a dict of the action's parameters) and return the
response as boto3's client returns it (without ``ResponseMetadata``, which the client adds),
raising an :class:`~serverless_sim.kernel.errors.AWSError` subclass on failure. Clients, the
botocore bridge and the HTTP endpoint all call these, so no adapter re-implements semantics.

Operations are methods marked with :func:`operation`; they may live in mixin classes (one file
per concept) that the service class inherits, and are collected when the class is created.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, ClassVar, TypeVar

from .errors import AWSError

if TYPE_CHECKING:
    from ..cloud import Cloud

F = TypeVar("F", bound=Callable[..., Any])


def operation(name: str) -> Callable[[F], F]:
    """Mark a method ``(self, request: dict) -> dict`` as the wire operation ``name``."""

    def mark(fn: F) -> F:
        fn._aws_operation = name  # type: ignore[attr-defined]
        return fn

    return mark


class Service:
    """Base class: subclasses set ``service_name`` and ``errors`` and mark their operations."""

    #: boto3's service name (``cloud.client(service_name)``).
    service_name: ClassVar[str] = ""
    #: Error classes by AWS error code (exposed as ``client.exceptions.<Code>``).
    errors: ClassVar[dict[str, type[AWSError]]] = {}
    #: Operation name -> attribute name of the method, collected from the MRO.
    operations: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ops: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                op = getattr(value, "_aws_operation", None)
                if op is not None:
                    ops[op] = attr
        cls.operations = dict(sorted(ops.items()))

    def __init__(self, cloud: "Cloud") -> None:
        self.cloud = cloud

    def dispatch(self, operation_name: str, request: dict[str, Any]) -> dict[str, Any]:
        """Run one wire operation by name (what the HTTP endpoint and bridge call)."""
        attr = self.operations.get(operation_name)
        if attr is None:
            raise UnknownOperationError(
                f"{self.service_name} has no operation {operation_name!r} in this simulator; "
                f"known: {', '.join(self.operations)}"
            )
        result: dict[str, Any] = getattr(self, attr)(request)
        return result


class UnknownOperationError(AWSError):
    """The action is not implemented (AWS answers unknown actions with this code)."""

    code = "UnknownOperationException"
