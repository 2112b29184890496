"""Amazon API Gateway: REST, HTTP and WebSocket APIs in front of Lambda, on the virtual clock."""

from .authorizers import Policy
from .gateway import Gateway, GatewayConfig
from .jwt import JwtIssuer, sign_hs256, verify_hs256
from .native import lambda_uri
from .responses import Response
from .router import Router
from .service import APIGateway, APIGatewayManagementAPI, APIGatewayV2, request
from .throttling import TokenBucket
from .websocket import WebSocketClient

__all__ = [
    "APIGateway", "APIGatewayManagementAPI", "APIGatewayV2", "Gateway", "GatewayConfig", "JwtIssuer", "Policy",
    "Response", "Router", "TokenBucket", "WebSocketClient", "lambda_uri", "request", "sign_hs256", "verify_hs256",
]
