"""AWS Step Functions: an Amazon States Language interpreter on the virtual clock.

``cloud.client("stepfunctions")`` speaks boto3's shapes; ``cloud.service("stepfunctions")`` is
the :class:`StepFunctions` service (native helpers: ``execution(arn)``, ``history(arn)``,
``mock_config``, ``item_reader``, ``result_writer``).
"""

from .errors import StatesError
from .service import StepFunctions

__all__ = ["StatesError", "StepFunctions"]
