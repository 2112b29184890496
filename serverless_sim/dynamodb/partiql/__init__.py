"""PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction.

Statements are parsed (:mod:`.parser`), translated into DynamoDB's ordinary item operations
(:mod:`.translate`) and run through a ``call(operation, request)`` callable (:mod:`.execute`),
so they inherit the engine's semantics.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
"""

from .execute import batch_execute_statement, execute_statement, execute_transaction
from .parser import parse

__all__ = ["batch_execute_statement", "execute_statement", "execute_transaction", "parse"]
