"""Amazon Cognito's error codes (user pools and identity pools), one class each.

Sources: the Errors sections of the Cognito user pools API reference
(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html#API_InitiateAuth_Errors
and siblings) and of the identity pools API reference
(https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetCredentialsForIdentity.html).
Both are JSON services; every client error is HTTP 400 (throttling 429, internal 500).
"""

from __future__ import annotations

from ..kernel.errors import AWSError


class CognitoIdpError(AWSError):
    service = "cognito-idp"
    type_prefix = ""


def _idp(code: str, message: str = "", status: int = 400) -> type[CognitoIdpError]:
    return type(code, (CognitoIdpError,), {"code": code, "default_message": message, "status": status,
                                           "__doc__": f"Cognito user pools error ``{code}``."})


NotAuthorizedException = _idp("NotAuthorizedException", "Incorrect username or password.")
UserNotConfirmedException = _idp("UserNotConfirmedException", "User is not confirmed.")
InvalidPasswordException = _idp("InvalidPasswordException")
UsernameExistsException = _idp("UsernameExistsException", "User already exists")
CodeMismatchException = _idp("CodeMismatchException", "Invalid verification code provided, please try again.")
ExpiredCodeException = _idp("ExpiredCodeException", "Invalid code provided, please request a code again.")
UserNotFoundException = _idp("UserNotFoundException", "User does not exist.")
ResourceNotFoundException = _idp("ResourceNotFoundException")
InvalidParameterException = _idp("InvalidParameterException")
GroupExistsException = _idp("GroupExistsException")
UserLambdaValidationException = _idp("UserLambdaValidationException")
UnexpectedLambdaException = _idp("UnexpectedLambdaException")
InvalidLambdaResponseException = _idp("InvalidLambdaResponseException", "Unrecognizable lambda output")
LimitExceededException = _idp("LimitExceededException")
TooManyRequestsException = _idp("TooManyRequestsException", status=429)
AliasExistsException = _idp("AliasExistsException", "An account with the given email already exists.")
PasswordResetRequiredException = _idp("PasswordResetRequiredException", "Password reset required for the user")
InvalidUserPoolConfigurationException = _idp("InvalidUserPoolConfigurationException")
UnsupportedTokenTypeException = _idp("UnsupportedTokenTypeException")
InternalErrorException = _idp("InternalErrorException", status=500)
UnsupportedUserStateException = _idp("UnsupportedUserStateException")
UnsupportedOperationException = _idp("UnsupportedOperationException")

IDP_ERRORS: dict[str, type[AWSError]] = {
    c.code: c for c in (
        NotAuthorizedException, UserNotConfirmedException, InvalidPasswordException, UsernameExistsException,
        CodeMismatchException, ExpiredCodeException, UserNotFoundException, ResourceNotFoundException,
        InvalidParameterException, GroupExistsException, UserLambdaValidationException,
        UnexpectedLambdaException, InvalidLambdaResponseException, LimitExceededException,
        TooManyRequestsException, AliasExistsException, PasswordResetRequiredException,
        InvalidUserPoolConfigurationException, UnsupportedTokenTypeException, InternalErrorException,
        UnsupportedUserStateException, UnsupportedOperationException,
    )
}


class CognitoIdentityError(AWSError):
    service = "cognito-identity"


def _ident(code: str, message: str = "", status: int = 400) -> type[CognitoIdentityError]:
    return type(code, (CognitoIdentityError,), {"code": code, "default_message": message, "status": status,
                                                "__doc__": f"Cognito identity pools error ``{code}``."})


IdentityNotAuthorizedException = _ident("NotAuthorizedException")
IdentityResourceNotFoundException = _ident("ResourceNotFoundException")
IdentityInvalidParameterException = _ident("InvalidParameterException")
InvalidIdentityPoolConfigurationException = _ident(
    "InvalidIdentityPoolConfigurationException",
    "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
ResourceConflictException = _ident("ResourceConflictException")
IdentityLimitExceededException = _ident("LimitExceededException")

IDENTITY_ERRORS: dict[str, type[AWSError]] = {
    c.code: c for c in (IdentityNotAuthorizedException, IdentityResourceNotFoundException,
                        IdentityInvalidParameterException, InvalidIdentityPoolConfigurationException,
                        ResourceConflictException, IdentityLimitExceededException)
}
