"""boto3-shaped clients over a service's wire operations.

``cloud.client("dynamodb").put_item(TableName=..., Item=...)`` calls the service's ``PutItem``
operation with the keyword arguments as the request, adds ``ResponseMetadata`` as botocore does,
and raises the service's error classes, which carry botocore's ``ClientError.response`` shape and
are also reachable as ``client.exceptions.<Code>`` (``client.exceptions.ClientError`` is the base).

Method names follow botocore's snake_case transformation of the operation names.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Callable

from ..kernel.errors import AWSError
from ..kernel.service import Service

if TYPE_CHECKING:
    from ..cloud import Cloud

_FIRST = re.compile(r"(.)([A-Z][a-z]+)")
_SECOND = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """``PutItem`` -> ``put_item``, ``DescribeTimeToLive`` -> ``describe_time_to_live``,
    ``ListTagsOfResource`` -> ``list_tags_of_resource``, ``GetMetricData`` -> ``get_metric_data``."""
    return _SECOND.sub(r"\1_\2", _FIRST.sub(r"\1_\2", name)).lower()


class ServiceClient:
    """Base of generated clients; one subclass per service with one method per operation."""

    _service_name: str = ""

    def __init__(self, cloud: "Cloud", service: Service) -> None:
        self._cloud = cloud
        self._service = service
        ns = {"ClientError": AWSError}
        ns.update(service.errors)
        self.exceptions = SimpleNamespace(**ns)
        self.meta = SimpleNamespace(region_name=cloud.region, service_name=service.service_name)

    def _call(self, operation_name: str, params: dict[str, Any]) -> dict[str, Any]:
        service = self._service
        method = getattr(service, service.operations[operation_name])
        cloud = self._cloud
        try:
            response = method(params)
        except AWSError as err:
            err.operation_name = operation_name
            cloud.trace.record(
                service.service_name, "api_call", operation=operation_name, error=err.code
            )
            raise
        cloud.trace.record(service.service_name, "api_call", operation=operation_name)
        response["ResponseMetadata"] = {
            "RequestId": cloud.request_id(),
            "HTTPStatusCode": 200,
            "HTTPHeaders": {},
            "RetryAttempts": 0,
        }
        return response

    # -- paginators and waiters (boto3's names: snake_case operations and waiters) ---------
    def _paginated(self) -> dict[str, str]:
        """snake_case name -> operation, for this service's paginated operations."""
        from .pagination import PAGINATORS

        ops = self._service.operations
        return {
            snake_case(op): op for op in PAGINATORS.get(self._service.service_name, {}) if op in ops
        }

    def can_paginate(self, operation_name: str) -> bool:
        """True if ``get_paginator(operation_name)`` works (``"list_tables"``)."""
        return operation_name in self._paginated()

    def get_paginator(self, operation_name: str) -> Any:
        """A :class:`~serverless_sim.adapters.pagination.Paginator` (``"query"``, ``"scan"``...)."""
        from .pagination import PAGINATORS, Paginator

        op = self._paginated().get(operation_name)
        if op is None:
            raise OperationNotPageableError(
                f"Operation cannot be paginated: {operation_name}"
            )
        return Paginator(self, op, PAGINATORS[self._service.service_name][op])

    @property
    def waiter_names(self) -> list[str]:
        """The snake_case names accepted by ``get_waiter`` (``["table_exists", ...]``)."""
        return sorted(self._waiters())

    def _waiters(self) -> dict[str, str]:
        from .waiters import WAITERS

        ops = self._service.operations
        return {
            snake_case(name): name
            for name, spec in WAITERS.get(self._service.service_name, {}).items()
            if spec.operation in ops
        }

    def get_waiter(self, waiter_name: str) -> Any:
        """A :class:`~serverless_sim.adapters.waiters.Waiter` that advances the virtual clock
        between attempts (``"table_exists"``, ``"table_not_exists"``...)."""
        from .waiters import WAITERS, Waiter

        name = self._waiters().get(waiter_name)
        if name is None:
            raise ValueError(f"Waiter does not exist: {waiter_name}")
        return Waiter(self, name, WAITERS[self._service.service_name][name])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} for {self._service.service_name} in {self._cloud!r}>"


class OperationNotPageableError(Exception):
    """``get_paginator`` of an operation that does not page (botocore's error of that name)."""


def _make_method(operation_name: str) -> Callable[..., dict[str, Any]]:
    def method(self: ServiceClient, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args:
            raise TypeError(f"{snake_case(operation_name)}() only accepts keyword arguments.")
        return self._call(operation_name, kwargs)

    method.__name__ = snake_case(operation_name)
    method.__doc__ = f"Calls the ``{operation_name}`` operation (boto3 request and response shapes)."
    return method


_CLASSES: dict[type[Service], type[ServiceClient]] = {}


def client_class(service_cls: type[Service]) -> type[ServiceClient]:
    """The generated client class for a service class (made once, then cached)."""
    cls = _CLASSES.get(service_cls)
    if cls is None:
        namespace: dict[str, Any] = {"_service_name": service_cls.service_name}
        for op in service_cls.operations:
            namespace[snake_case(op)] = _make_method(op)
        name = "".join(p.capitalize() for p in re.split(r"[^a-zA-Z0-9]", service_cls.service_name))
        cls = _CLASSES[service_cls] = type(f"{name}Client", (ServiceClient,), namespace)
    return cls


def make_client(cloud: "Cloud", service: Service, credentials: Any = None) -> ServiceClient:
    """A client of ``service``; with ``credentials`` (or a Cloud enforcing IAM) each call is
    authorized first (see :mod:`serverless_sim.iam.enforce`), otherwise calls are trusted."""
    cls = client_class(type(service))
    if credentials is None and not getattr(cloud, "enforce_iam", False):
        return cls(cloud, service)
    from ..iam.enforce import enforcing_client

    return enforcing_client(cloud, service, cls, credentials)
