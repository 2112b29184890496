"""IAM's and STS's error codes, one class each, with AWS's wording and HTTP status.

Sources: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html and the Errors
section of each action (CreateRole, PutRolePolicy, AttachRolePolicy, CreatePolicy...);
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html#API_AssumeRole_Errors.
Both speak the query protocol: the code is what botocore shows in ``Error.Code``.
"""

from __future__ import annotations

from ..kernel.errors import AWSError


class IAMError(AWSError):
    service = "iam"


class NoSuchEntity(IAMError):
    code = "NoSuchEntity"
    status = 404


class EntityAlreadyExists(IAMError):
    code = "EntityAlreadyExists"
    status = 409


class MalformedPolicyDocument(IAMError):
    code = "MalformedPolicyDocument"


class DeleteConflict(IAMError):
    code = "DeleteConflict"
    status = 409


class LimitExceeded(IAMError):
    code = "LimitExceeded"
    status = 409


class InvalidInput(IAMError):
    code = "InvalidInput"


class ValidationError(IAMError):
    code = "ValidationError"


class AccessDenied(IAMError):
    code = "AccessDenied"
    status = 403


class UnmodifiableEntity(IAMError):
    code = "UnmodifiableEntity"


ERRORS: dict[str, type[AWSError]] = {
    c.code: c for c in (NoSuchEntity, EntityAlreadyExists, MalformedPolicyDocument, DeleteConflict,
                        LimitExceeded, InvalidInput, ValidationError, AccessDenied, UnmodifiableEntity)
}


class STSError(AWSError):
    service = "sts"


class STSAccessDenied(STSError):
    code = "AccessDenied"
    status = 403


class ExpiredTokenException(STSError):
    code = "ExpiredTokenException"


class STSMalformedPolicyDocument(STSError):
    code = "MalformedPolicyDocument"


class STSValidationError(STSError):
    code = "ValidationError"


class InvalidIdentityToken(STSError):
    code = "InvalidIdentityToken"


class IDPRejectedClaim(STSError):
    code = "IDPRejectedClaim"
    status = 403


class PackedPolicyTooLarge(STSError):
    code = "PackedPolicyTooLarge"


STS_ERRORS: dict[str, type[AWSError]] = {
    # client.exceptions.<Name>: botocore's modelled names
    "AccessDenied": STSAccessDenied,
    "ExpiredTokenException": ExpiredTokenException,
    "MalformedPolicyDocumentException": STSMalformedPolicyDocument,
    "InvalidIdentityTokenException": InvalidIdentityToken,
    "IDPRejectedClaimException": IDPRejectedClaim,
    "PackedPolicyTooLargeException": PackedPolicyTooLarge,
    "ValidationError": STSValidationError,
}
