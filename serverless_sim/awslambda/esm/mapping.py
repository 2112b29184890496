"""One event source mapping: its configuration, state and AWS shape.

https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html
"""

from __future__ import annotations

from typing import Any

import attrs

from ...kernel.clock import us_to_datetime
from .filters import FilterSet

SQS = "sqs"
DYNAMODB = "dynamodb"


@attrs.define(eq=False)
class EventSourceMapping:
    """A mapping from an SQS queue or a DynamoDB stream to a function (version or alias)."""

    uuid: str
    arn: str
    kind: str
    source_arn: str
    function_name: str
    qualifier: str | None
    function_arn: str
    batch_size: int
    window_s: int = 0
    enabled: bool = True
    filters: FilterSet | None = None
    response_types: tuple[str, ...] = ()
    # SQS
    max_concurrency: int | None = None
    # streams
    starting_position: str | None = None
    parallelization: int = 1
    bisect: bool = False
    max_retries: int = -1
    max_record_age_s: int = -1
    on_failure: str | None = None
    tumbling_window_s: int | None = None
    # state
    last_modified_us: int = 0
    last_result: str = "No records processed"
    state: str = "Enabled"
    poller: Any = None

    @property
    def report_batch_item_failures(self) -> bool:
        return "ReportBatchItemFailures" in self.response_types

    def describe(self, state: str | None = None) -> dict[str, Any]:
        """The ``EventSourceMappingConfiguration`` shape."""
        out: dict[str, Any] = {
            "UUID": self.uuid,
            "BatchSize": self.batch_size,
            "MaximumBatchingWindowInSeconds": self.window_s,
            "EventSourceArn": self.source_arn,
            "FunctionArn": self.function_arn,
            "LastModified": us_to_datetime(self.last_modified_us // 1000 * 1000),  # to the ms, as AWS
            "State": state or self.state,
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": list(self.response_types),
            "EventSourceMappingArn": self.arn,
        }
        if self.filters is not None:
            out["FilterCriteria"] = self.filters.criteria
        if self.kind == SQS:
            if self.max_concurrency is not None:
                out["ScalingConfig"] = {"MaximumConcurrency": self.max_concurrency}
        else:
            out["LastProcessingResult"] = self.last_result
            out["StartingPosition"] = self.starting_position
            out["ParallelizationFactor"] = self.parallelization
            out["BisectBatchOnFunctionError"] = self.bisect
            out["MaximumRetryAttempts"] = self.max_retries
            out["MaximumRecordAgeInSeconds"] = self.max_record_age_s
            out["DestinationConfig"] = {"OnFailure": {"Destination": self.on_failure} if self.on_failure else {}}
            if self.tumbling_window_s is not None:
                out["TumblingWindowInSeconds"] = self.tumbling_window_s
        return out

    def __repr__(self) -> str:
        return f"<EventSourceMapping {self.uuid} {self.source_arn} -> {self.function_arn} {self.state}>"


__all__ = ["DYNAMODB", "SQS", "EventSourceMapping"]
