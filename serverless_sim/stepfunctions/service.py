"""The Step Functions service of one Cloud.

Wire operations live in one mixin per concept: state machines and definition validation in
:mod:`.machines`, executions in :mod:`.runs`, activities and task tokens in :mod:`.tasks`. The
interpreter is :mod:`.executions`; task integrations :mod:`.integrations`; the Amazon States
Language itself (paths, templates, intrinsics, Choice rules, JSONata, validation) is
:mod:`.asl`.

Configuration hooks (plain attributes, changeable at any time):

- ``mock_config``: a Step Functions Local mock configuration (dict), used by executions started
  on ``<stateMachineArn>#<TestCase>``;
- ``item_reader(resource, parameters, reader_config) -> list``: reads a distributed Map's
  ItemReader instead of the Cloud's S3 (:mod:`.itemio`) when set;
- ``result_writer(resource, parameters, results)``: receives a distributed Map's results when
  it has a ResultWriter.

Everything an execution needs is plain data reachable from this object (no generators, no
threads), so a Cloud can be deep-copied between events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..kernel.service import Service
from .errors import ERRORS
from .executions import Execution
from .integrations import Integrations
from .machines import MachineOps, StateMachine
from .maprun import MapRun, MapRunOps
from .runs import RunOps
from .tasks import Activity, TaskOps

if TYPE_CHECKING:
    from ..cloud import Cloud


class StepFunctions(MachineOps, RunOps, TaskOps, MapRunOps, Service):
    """AWS Step Functions (https://docs.aws.amazon.com/step-functions/latest/apireference/)."""

    service_name = "stepfunctions"
    errors = ERRORS

    def __init__(self, cloud: "Cloud") -> None:
        super().__init__(cloud)
        #: State machines by ARN, in creation order.
        self.machines: dict[str, StateMachine] = {}
        #: Executions by ARN, in start order.
        self.executions: dict[str, Execution] = {}
        #: Activities by ARN.
        self.activities: dict[str, Activity] = {}
        #: Live task tokens -> (frame, attempt).
        self.tokens: dict[str, tuple[Any, int]] = {}
        #: Every token ever issued (to tell "timed out" from "invalid").
        self.issued_tokens: set[str] = set()
        self.tags: dict[str, dict[str, str]] = {}
        self.integrations = Integrations(self)
        self.mock_config: dict[str, Any] | None = None
        self.item_reader: Callable[[str, Any, Any], list[Any]] | None = None
        self.result_writer: Callable[[str, Any, list[Any]], Any] | None = None
        self.map_run_results: dict[str, list[Any]] = {}
        #: Map Runs of distributed Map states by ARN (:mod:`.maprun`).
        self.map_runs: dict[str, MapRun] = {}

    # -- ids ------------------------------------------------------------------------------
    def _new_id(self, kind: str = "ids") -> str:
        return self.cloud.streams.uuid(f"stepfunctions/{kind}")

    def _new_token(self) -> str:
        rng = self.cloud.rng("stepfunctions/tokens")
        token = "AQB" + f"{rng.getrandbits(512):0128x}"
        self.issued_tokens.add(token)
        return token

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:states:{self.cloud.region}:{self.cloud.account_id}:{kind}:{name}"

    # -- hooks from executions -------------------------------------------------------------
    def _forget_task(self, frame: Any) -> None:
        run = frame.task
        if run is not None and run.token is not None:
            self.tokens.pop(run.token, None)
            self._forget_activity_token(run.token)

    def _execution_closed(self, ex: Execution) -> None:
        sm = self.machines.get(ex.machine_arn)
        if sm is not None and sm.status == "DELETING" and not any(
            e.status == "RUNNING" for e in self.executions.values()
            if e.machine_arn == sm.arn
        ):
            self._remove_machine(sm)

    # -- native conveniences ----------------------------------------------------------------
    def execution(self, execution_arn: str) -> Execution:
        """The :class:`Execution` object (engine state) for an ARN."""
        return self.executions[execution_arn]

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """The whole history of an execution as AWS's HistoryEvent dicts."""
        from .history import event_to_wire

        ex = self.executions[execution_arn]
        return [event_to_wire(i, e) for i, e in enumerate(ex.history or [])]
