"""Amazon SQS: standard and FIFO queues on the virtual clock (see :mod:`.service`)."""

from .native import QueueRef, ReceivedMessage, SentMessage
from .queue import Subscription
from .service import SQS, SQSConfig

__all__ = ["SQS", "SQSConfig", "QueueRef", "ReceivedMessage", "SentMessage", "Subscription"]
