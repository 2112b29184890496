"""The ``context`` object a handler receives, as the Python runtime builds it.

https://docs.aws.amazon.com/lambda/latest/dg/python-context.html: ``function_name``,
``function_version``, ``invoked_function_arn``, ``memory_limit_in_mb``, ``aws_request_id``,
``log_group_name``, ``log_stream_name``, ``identity``, ``client_context`` and
``get_remaining_time_in_millis()``. The remaining time is read on the *virtual* clock of the
running call, so it shrinks as the handler sleeps. As in the Python runtime
(``awslambdaric``), ``memory_limit_in_mb`` is the string of the
``AWS_LAMBDA_FUNCTION_MEMORY_SIZE`` variable.
"""

from __future__ import annotations

from typing import Any

from .runtime import Run


class LambdaContext:
    __slots__ = (
        "function_name", "function_version", "invoked_function_arn", "memory_limit_in_mb",
        "aws_request_id", "log_group_name", "log_stream_name", "identity", "client_context",
        "tenant_id", "_run", "_deadline_us",
    )

    def __init__(
        self,
        *,
        function_name: str,
        function_version: str,
        invoked_function_arn: str,
        memory_limit_in_mb: int,
        aws_request_id: str,
        log_group_name: str,
        log_stream_name: str,
        deadline_us: int,
        run: Run | None,
        client_context: Any = None,
        identity: Any = None,
        tenant_id: str | None = None,
    ) -> None:
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = str(memory_limit_in_mb)
        self.aws_request_id = aws_request_id
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name
        self.identity = identity
        self.client_context = client_context
        self.tenant_id = tenant_id
        self._run = run
        self._deadline_us = deadline_us

    @classmethod
    def _fast(cls, function_name: str, function_version: str, invoked_function_arn: str, memory_mb: str,
              request_id: str, log_group: str, log_stream: str, deadline_us: int, run: Run | None,
              client_context: Any) -> "LambdaContext":
        """The invoke path's constructor (positional; ``memory_mb`` already a string)."""
        self = cls.__new__(cls)
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = request_id
        self.log_group_name = log_group
        self.log_stream_name = log_stream
        self.identity = None
        self.client_context = client_context
        self.tenant_id = None
        self._run = run
        self._deadline_us = deadline_us
        return self

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until the function times out, on the virtual clock."""
        run = self._run
        now = run.now_us if run is not None else self._deadline_us
        return max(0, (self._deadline_us - now) // 1000)

    def __repr__(self) -> str:
        return (
            f"LambdaContext(function_name={self.function_name!r}, "
            f"aws_request_id={self.aws_request_id!r})"
        )
