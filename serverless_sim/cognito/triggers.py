"""User pool Lambda triggers, invoked synchronously as Cognito does.

https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html

The function named in the pool's ``LambdaConfig`` is invoked through the Cloud's Lambda service
(``cloud.service("lambda").dispatch("Invoke", ...)``, RequestResponse, so the virtual clock
advances by the invocation's duration) with the common event shape::

    {"version": "1", "region", "userPoolId", "userName", "triggerSource",
     "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId"},
     "request": {...}, "response": {...}}

and Cognito reads the returned event's ``response``. A function error fails the API call with
``UserLambdaValidationException`` "<Trigger> failed with error <errorMessage>." (a
``PreSignUp`` error stops the sign-up; the user is not created); an invocation that cannot be
made (no such function, throttled) is ``UnexpectedLambdaException``; an output that is not a JSON
object is ``InvalidLambdaResponseException``.

Triggers modelled: PreSignUp (``PreSignUp_SignUp``, ``PreSignUp_AdminCreateUser``:
``autoConfirmUser``, ``autoVerifyEmail``, ``autoVerifyPhone``), PostConfirmation
(``PostConfirmation_ConfirmSignUp``), PreAuthentication / PostAuthentication
(``PreAuthentication_Authentication``, ``PostAuthentication_Authentication``), and
PreTokenGeneration (``TokenGeneration_Authentication``, ``TokenGeneration_NewPasswordChallenge``,
``TokenGeneration_RefreshTokens``), event versions 1 (``claimsOverrideDetails``) and 2
(``claimsAndScopeOverrideDetails``, set by ``PreTokenGenerationConfig.LambdaVersion: V2_0``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..kernel.errors import AWSError
from .errors import InvalidLambdaResponseException, UnexpectedLambdaException, UserLambdaValidationException

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .pools import UserPool

SDK_VERSION = "aws-sdk-unknown-unknown"


def trigger_arn(pool: "UserPool", name: str) -> tuple[str | None, str]:
    """(function ARN, event version) of trigger ``name`` in the pool's LambdaConfig."""
    cfg = pool.lambda_config
    if name == "PreTokenGeneration":
        ptg = cfg.get("PreTokenGenerationConfig")
        if isinstance(ptg, dict) and ptg.get("LambdaArn"):
            return ptg["LambdaArn"], "2" if ptg.get("LambdaVersion") in ("V2_0", "V3_0") else "1"
    arn = cfg.get(name)
    return (arn if isinstance(arn, str) else None), "1"


def event(pool: "UserPool", region: str, username: str, source: str, client_id: str | None,
          request: dict[str, Any], response: dict[str, Any], version: str = "1") -> dict[str, Any]:
    return {"version": version, "region": region, "userPoolId": pool.pool_id, "userName": username,
            "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client_id or "CLIENT_ID_NOT_APPLICABLE"},
            "triggerSource": source, "request": request, "response": response}


def invoke(cloud: "Cloud", pool: "UserPool", name: str, ev: dict[str, Any]) -> dict[str, Any] | None:
    """Invoke trigger ``name`` with event ``ev``; returns the function's ``response`` object, or
    None when the pool has no such trigger."""
    arn, _ = trigger_arn(pool, name)
    if arn is None:
        return None
    try:
        result = cloud.service("lambda").dispatch(
            "Invoke", {"FunctionName": arn, "InvocationType": "RequestResponse",
                       "Payload": json.dumps(ev).encode()})
    except AWSError as err:
        raise UnexpectedLambdaException(f"{name} invocation failed due to error {err.code}.") from None
    payload = result.get("Payload", b"")
    if hasattr(payload, "read"):
        payload = payload.read()
    if isinstance(payload, str):
        payload = payload.encode()
    try:
        out = json.loads(payload) if payload else None
    except ValueError:
        out = None
    if result.get("FunctionError"):
        message = out.get("errorMessage") if isinstance(out, dict) else None
        raise UserLambdaValidationException(f"{name} failed with error {message}.")
    if not isinstance(out, dict):
        raise InvalidLambdaResponseException("Unrecognizable lambda output")
    response = out.get("response")
    if response is None:
        return {}
    if not isinstance(response, dict):
        raise InvalidLambdaResponseException("Unrecognizable lambda output")
    return response
