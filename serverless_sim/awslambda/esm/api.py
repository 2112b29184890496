"""Event source mappings: ``Create/Get/List/Update/DeleteEventSourceMapping``.

https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html

Sources: SQS queues (:mod:`.sqs`) and DynamoDB streams (:mod:`.streams`); the mapping's
poller reads the source *event-driven* (the queue's / stream's subscription hooks, plus timers
only while there is work: a batching window, a retry, a scaling step), so an idle mapping
schedules nothing. The function is invoked synchronously through the invoke path (its
concurrency limits apply; a throttled batch is retried). ``FunctionName`` may name a version or
an alias: each batch goes through it.

Validation (AWS's numbers, :mod:`..limits`): ``BatchSize`` 1-10,000 (SQS default 10, FIFO at
most 10; streams default 100); ``MaximumBatchingWindowInSeconds`` 0-300 and, for SQS, at least
1 when ``BatchSize`` > 10; ``ScalingConfig.MaximumConcurrency`` 2-1,000 (SQS only);
``StartingPosition`` ``TRIM_HORIZON`` / ``LATEST`` (streams, required);
``MaximumRetryAttempts`` -1 or 0-10,000; ``MaximumRecordAgeInSeconds`` -1 or 60-604,800;
``ParallelizationFactor`` 1-10; ``TumblingWindowInSeconds`` 0-900 (stored, not modelled);
``DestinationConfig.OnFailure`` an SQS queue or SNS topic (streams); at most one mapping per
(source, function) pair (AWS's ``ResourceConflictException`` text). Stream-only parameters on an
SQS mapping are refused ("Unsupported <Parameter> parameter for given event source mapping
type."). The wording of the FIFO and window errors is approximated where AWS's is not known.

States: ``Creating`` (the Create response), then ``Enabled`` / ``Disabled``; ``Updating`` and
``Deleting`` appear in the Update / Delete responses; transitions are instantaneous.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ...kernel.errors import AWSError, SimError
from ...kernel.service import operation
from .. import limits
from ..errors import InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException, validation_error
from ..event_invoke_config import arn_service
from ..functions import Function
from .filters import check_filter_criteria
from .mapping import DYNAMODB, SQS, EventSourceMapping

if TYPE_CHECKING:
    from ...cloud import Cloud
    from ..functions import FunctionVersion
    from ..service import Lambda

_STREAM_ONLY = ("StartingPosition", "ParallelizationFactor", "BisectBatchOnFunctionError", "MaximumRetryAttempts",
                "MaximumRecordAgeInSeconds", "DestinationConfig", "TumblingWindowInSeconds", "StartingPositionTimestamp")


def _int(value: Any, member: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise validation_error(value, member, "Member must not be null")
    if value < low:
        raise validation_error(value, member, f"Member must have value greater than or equal to {low}")
    if value > high:
        raise validation_error(value, member, f"Member must have value less than or equal to {high}")
    return value


class EventSourceMappingOps:
    """Event source mapping wire operations (mixed into :class:`~.service.Lambda`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _esms: dict[str, Any]
        cloud: Cloud
        def _function_from_request(self, request: dict[str, Any]) -> tuple[Function, str | None]: ...
        def _paginate(self, items: list[Any], request: dict[str, Any], key: str, default: int = 50) -> dict[str, Any]: ...
        def _version_of(self, fn: Function, qualifier: str | None) -> FunctionVersion: ...

    # -- helpers ------------------------------------------------------------------------------------
    def _esm(self, uuid: Any) -> EventSourceMapping:
        esm = self._esms.get(uuid) if isinstance(uuid, str) else None
        if esm is None:
            raise ResourceNotFoundException("The resource you requested does not exist.")
        return esm

    def _source_kind(self, arn: Any) -> str:
        service = arn_service(arn) if isinstance(arn, str) else ""
        if service == "sqs":
            try:
                self.cloud.service("sqs").queue(arn)  # type: ignore[attr-defined]
            except AWSError:
                raise InvalidParameterValueException(
                    "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                    "SQS Error Message: The specified queue does not exist for this wsdl version."
                ) from None
            return SQS
        if service == "dynamodb" and "/stream/" in arn:
            try:
                self.cloud.dynamodb.streams.get(arn)  # type: ignore[attr-defined]
            except AWSError:
                raise InvalidParameterValueException(f"Stream not found: {arn}") from None
            return DYNAMODB
        if service in ("kinesis", "kafka", "mq"):
            raise SimError(f"serverless_sim maps SQS queues and DynamoDB streams only, not {service}")
        raise InvalidParameterValueException(f"Unrecognized event source: {arn}")

    def _configure(self, esm: EventSourceMapping, request: dict[str, Any], creating: bool) -> dict[str, Any]:
        """Validate ``request`` against ``esm``'s kind; return the attribute changes."""
        kind = esm.kind
        ch: dict[str, Any] = {}
        fifo = kind == SQS and esm.source_arn.endswith(".fifo")
        if kind == SQS:
            for key in _STREAM_ONLY:
                if request.get(key) is not None:
                    raise InvalidParameterValueException(f"Unsupported {key} parameter for given event source mapping type.")
        elif request.get("ScalingConfig") is not None:
            raise InvalidParameterValueException("Unsupported ScalingConfig parameter for given event source mapping type.")
        if request.get("BatchSize") is not None:
            ch["batch_size"] = _int(request["BatchSize"], "batchSize", 1, limits.ESM_BATCH_SIZE_MAX)
        if request.get("MaximumBatchingWindowInSeconds") is not None:
            ch["window_s"] = _int(request["MaximumBatchingWindowInSeconds"], "maximumBatchingWindowInSeconds", 0,
                                  limits.ESM_BATCHING_WINDOW_MAX_S)
        batch = ch.get("batch_size", esm.batch_size)
        window = ch.get("window_s", esm.window_s)
        if kind == SQS:
            if fifo and batch > limits.SQS_FIFO_BATCH_SIZE_MAX:
                raise InvalidParameterValueException(
                    f"BatchSize must be less than or equal to {limits.SQS_FIFO_BATCH_SIZE_MAX} for FIFO queues.")
            if fifo and window:
                raise InvalidParameterValueException("MaximumBatchingWindowInSeconds is not supported for FIFO queues.")
            if batch > limits.ESM_BATCH_WITHOUT_WINDOW_MAX and window < 1:
                raise InvalidParameterValueException(
                    "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
            scaling = request.get("ScalingConfig")
            if scaling is not None:
                mc = scaling.get("MaximumConcurrency") if isinstance(scaling, dict) else None
                ch["max_concurrency"] = None if mc is None else _int(
                    mc, "scalingConfig.maximumConcurrency", limits.SQS_MAX_CONCURRENCY_MIN, limits.SQS_MAX_CONCURRENCY_MAX)
        else:
            if creating:
                pos = request.get("StartingPosition")
                if pos is None:
                    raise InvalidParameterValueException("1 validation error detected: Value null at 'startingPosition' "
                                                         "failed to satisfy constraint: Member must not be null")
                if pos not in ("TRIM_HORIZON", "LATEST"):
                    raise InvalidParameterValueException(f"Unsupported starting position {pos} for DynamoDB Streams.")
                ch["starting_position"] = pos
            elif request.get("StartingPosition") is not None:
                raise InvalidParameterValueException("Unsupported StartingPosition parameter for UpdateEventSourceMapping.")
            if request.get("ParallelizationFactor") is not None:
                ch["parallelization"] = _int(request["ParallelizationFactor"], "parallelizationFactor", 1,
                                             limits.PARALLELIZATION_FACTOR_MAX)
            if request.get("BisectBatchOnFunctionError") is not None:
                ch["bisect"] = bool(request["BisectBatchOnFunctionError"])
            if request.get("MaximumRetryAttempts") is not None:
                ch["max_retries"] = _int(request["MaximumRetryAttempts"], "maximumRetryAttempts", -1,
                                         limits.STREAM_MAX_RETRIES_MAX)
            if request.get("MaximumRecordAgeInSeconds") is not None:
                age = _int(request["MaximumRecordAgeInSeconds"], "maximumRecordAgeInSeconds", -1,
                           limits.STREAM_MAX_RECORD_AGE_MAX_S)
                if 0 <= age < limits.STREAM_MAX_RECORD_AGE_MIN_S:
                    raise validation_error(age, "maximumRecordAgeInSeconds",
                                           f"Member must have value greater than or equal to {limits.STREAM_MAX_RECORD_AGE_MIN_S}")
                ch["max_record_age_s"] = age
            if request.get("TumblingWindowInSeconds") is not None:
                ch["tumbling_window_s"] = _int(request["TumblingWindowInSeconds"], "tumblingWindowInSeconds", 0,
                                               limits.TUMBLING_WINDOW_MAX_S)
            dest = request.get("DestinationConfig")
            if dest is not None:
                target = ((dest.get("OnFailure") or {}).get("Destination")) if isinstance(dest, dict) else None
                if target and arn_service(target) not in ("sqs", "sns"):
                    raise InvalidParameterValueException(
                        "Unsupported DestinationConfig parameter for given event source mapping type.")
                ch["on_failure"] = target or None
        if "FilterCriteria" in request:
            ch["filters"] = check_filter_criteria(request["FilterCriteria"])
        if request.get("FunctionResponseTypes") is not None:
            types = request["FunctionResponseTypes"]
            if not isinstance(types, list) or any(t != "ReportBatchItemFailures" for t in types):
                raise validation_error(types, "functionResponseTypes",
                                       "Member must satisfy enum value set: [ReportBatchItemFailures]")
            ch["response_types"] = tuple(dict.fromkeys(types))
        if request.get("Enabled") is not None:
            ch["enabled"] = bool(request["Enabled"])
        return ch

    # -- wire ----------------------------------------------------------------------------------------
    @operation("CreateEventSourceMapping")
    def create_event_source_mapping(self, request: dict[str, Any]) -> dict[str, Any]:
        fn, qualifier = self._function_from_request(request)
        if qualifier is not None:
            self._version_of(fn, qualifier)
        source = request.get("EventSourceArn")
        if source is None:
            raise InvalidParameterValueException("Unrecognized event source, must be kafka or specify an EventSourceArn.")
        kind = self._source_kind(source)
        function_arn = fn.arn if qualifier is None else f"{fn.arn}:{qualifier}"
        for other in self._esms.values():
            if other.source_arn == source and other.function_arn == function_arn:
                raise ResourceConflictException(
                    f'The event source arn (" {source} ") and function (" {fn.name} ") provided mapping already '
                    f"exists. Please update or delete the existing mapping with UUID {other.uuid}")
        uuid = self.cloud.streams.uuid("lambda/esm")
        esm = EventSourceMapping(
            uuid=uuid, arn=self.cloud.arn("lambda", f"event-source-mapping:{uuid}"), kind=kind, source_arn=source,
            function_name=fn.name, qualifier=qualifier, function_arn=function_arn,
            batch_size=limits.SQS_BATCH_SIZE_DEFAULT if kind == SQS else limits.STREAM_BATCH_SIZE_DEFAULT,
        )
        for key, value in self._configure(esm, request, True).items():
            setattr(esm, key, value)
        esm.last_modified_us = self.cloud.clock.now_us
        self._esms[uuid] = esm
        self._esm_apply_state(esm)
        self.cloud.trace.record("lambda", "esm_created", uuid=uuid, source=source, function=fn.name)
        return esm.describe("Creating")

    @operation("GetEventSourceMapping")
    def get_event_source_mapping(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._esm(request.get("UUID")).describe()

    @operation("ListEventSourceMappings")
    def list_event_source_mappings(self, request: dict[str, Any]) -> dict[str, Any]:
        items = list(self._esms.values())
        source = request.get("EventSourceArn")
        if source is not None:
            items = [e for e in items if e.source_arn == source]
        if request.get("FunctionName") is not None:
            fn, qualifier = self._function_from_request(request)
            items = [e for e in items if e.function_name == fn.name and (qualifier is None or e.qualifier == qualifier)]
        return self._paginate([e.describe() for e in items], request, "EventSourceMappings", default=100)

    @operation("UpdateEventSourceMapping")
    def update_event_source_mapping(self, request: dict[str, Any]) -> dict[str, Any]:
        esm = self._esm(request.get("UUID"))
        changes = self._configure(esm, request, False)
        if request.get("FunctionName") is not None:
            fn, qualifier = self._function_from_request(request)
            if qualifier is not None:
                self._version_of(fn, qualifier)
            changes.update(function_name=fn.name, qualifier=qualifier,
                           function_arn=fn.arn if qualifier is None else f"{fn.arn}:{qualifier}")
        for key, value in changes.items():
            setattr(esm, key, value)
        esm.last_modified_us = self.cloud.clock.now_us
        self._esm_apply_state(esm, restart=True)
        return esm.describe("Updating")

    @operation("DeleteEventSourceMapping")
    def delete_event_source_mapping(self, request: dict[str, Any]) -> dict[str, Any]:
        esm = self._esm(request.get("UUID"))
        self._esm_stop(esm)
        del self._esms[esm.uuid]
        self.cloud.trace.record("lambda", "esm_deleted", uuid=esm.uuid)
        return esm.describe("Deleting")

    # -- pollers -------------------------------------------------------------------------------------
    def _esm_apply_state(self, esm: EventSourceMapping, restart: bool = False) -> None:
        if not esm.enabled:
            self._esm_stop(esm)
            esm.state = "Disabled"
            return
        esm.state = "Enabled"
        if esm.poller is not None and not restart:
            return
        if esm.poller is not None:
            esm.poller.reconfigure()
            return
        if esm.kind == SQS:
            from .sqs import SqsPoller

            esm.poller = SqsPoller(cast("Lambda", self), esm)
        else:
            from .streams import StreamPoller

            esm.poller = StreamPoller(cast("Lambda", self), esm)
        esm.poller.start()

    def _esm_stop(self, esm: EventSourceMapping) -> None:
        if esm.poller is not None:
            esm.poller.stop()
            esm.poller = None

    def _drop_event_source_mappings(self, fn: Function) -> None:
        for esm in [e for e in self._esms.values() if e.function_name == fn.name]:
            self._esm_stop(esm)
            del self._esms[esm.uuid]

    # -- native ----------------------------------------------------------------------------------------
    def map_event_source(self, source_arn: str, function: str, **params: Any) -> EventSourceMapping:
        """``CreateEventSourceMapping`` natively: ``params`` are the API's members
        (``BatchSize=...``, ``FunctionResponseTypes=[...]``...). Returns the mapping."""
        uuid = self.create_event_source_mapping({"EventSourceArn": source_arn, "FunctionName": function, **params})["UUID"]
        return self._esms[uuid]

    def event_source_mapping(self, uuid: str) -> EventSourceMapping:
        return self._esm(uuid)


__all__ = ["EventSourceMappingOps"]
