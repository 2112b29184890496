"""IAM and STS: entities, the policy language and evaluator, and enforcement of service calls."""

from .enforce import check, credentials_for, run_as
from .evaluate import evaluate
from .policy import PolicySyntaxError, parse_document
from .service import IAM, store_of
from .sts import STS

__all__ = ["IAM", "STS", "PolicySyntaxError", "check", "credentials_for", "evaluate", "parse_document",
           "run_as", "store_of"]
