"""Amazon Cognito: user pools (``cognito-idp``) and identity pools (``cognito-identity``)."""

from .identity import CognitoIdentity
from .service import CognitoConfig, CognitoIdentityProvider
from .tokens import TokenError, jwks, jwks_for_issuer, verify_cognito_token, well_known
from .users_api import secret_hash

__all__ = ["CognitoConfig", "CognitoIdentity", "CognitoIdentityProvider", "TokenError", "jwks",
           "jwks_for_issuer", "secret_hash", "verify_cognito_token", "well_known"]
