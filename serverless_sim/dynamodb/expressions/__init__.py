"""DynamoDB expression languages: condition, filter, key condition, projection and update.

Public names only; see :mod:`.context` for the entry point and each module for the AWS rules
it models.
"""

from .condition import Condition, condition_references_attributes
from .context import ExpressionContext
from .keycond import KeyCondition
from .paths import get_path
from .projection import Projection
from .reserved import RESERVED_WORDS
from .update import Update

__all__ = [
    "Condition",
    "ExpressionContext",
    "KeyCondition",
    "Projection",
    "RESERVED_WORDS",
    "Update",
    "condition_references_attributes",
    "get_path",
]
