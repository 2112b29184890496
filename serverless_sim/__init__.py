"""serverless_sim: a deterministic, in-memory simulator of AWS serverless services.

The public API is small; everything not re-exported here is private.
"""

from .cloud import Cloud
from .kernel.errors import AWSError, SimError
from .kernel.process import Event, Interrupt, Process, Timeout
from .kernel.scheduler import Handle
from .kernel.trace import TraceRecord

__all__ = [
    "AWSError",
    "Cloud",
    "Event",
    "Handle",
    "Interrupt",
    "Process",
    "SimError",
    "Timeout",
    "TraceRecord",
]

__version__ = "0.1.0"
