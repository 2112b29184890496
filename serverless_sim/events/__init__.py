"""Amazon EventBridge and EventBridge Scheduler."""

from .patterns import EventPattern, compile_pattern
from .scheduler import Scheduler
from .service import EventBridge, EventBridgeConfig

__all__ = ["EventBridge", "EventBridgeConfig", "EventPattern", "Scheduler", "compile_pattern"]
