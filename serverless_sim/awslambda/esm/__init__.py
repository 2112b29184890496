"""Lambda event source mappings: SQS queues and DynamoDB streams."""

from .api import EventSourceMappingOps
from .filters import FilterSet
from .mapping import EventSourceMapping
from .sqs import SqsPoller
from .streams import StreamPoller

__all__ = ["EventSourceMapping", "EventSourceMappingOps", "FilterSet", "SqsPoller", "StreamPoller"]
