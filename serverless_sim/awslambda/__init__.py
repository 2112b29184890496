"""AWS Lambda: functions from deployment packages or callables, on the virtual clock."""

from .async_invoke import AsyncQueue, AsyncRecord
from .billing import Billing, FunctionBill
from .config import LambdaConfig
from .context import LambdaContext
from .durations import Distribution, Empirical, Exponential, InitModel, LogNormal, Normal, RestoreModel, Uniform
from .functions import Alias, Function, FunctionVersion
from .invoke import Invocation, PayloadStream
from .package import DeploymentPackage, build_zip
from .runtime import current_run
from .service import Lambda
from .snapstart import register_after_restore, register_before_snapshot

__all__ = [
    "Alias", "AsyncQueue", "AsyncRecord", "Billing", "DeploymentPackage", "Distribution", "Empirical",
    "Exponential", "Function", "FunctionBill", "FunctionVersion", "InitModel", "Invocation", "Lambda",
    "LambdaConfig", "LambdaContext", "LogNormal", "Normal", "PayloadStream", "RestoreModel", "Uniform",
    "build_zip", "current_run", "register_after_restore", "register_before_snapshot",
]
