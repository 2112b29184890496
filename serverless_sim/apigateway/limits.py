"""API Gateway's numbers, each with its source.

Q = https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html (quotas; also
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html and
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
"""

from __future__ import annotations

#: Account throttle per Region across REST, HTTP and WebSocket APIs: 10,000 requests per second
#: steady state, token bucket of 5,000 (Q; 2,500 / 1,250 in some newer Regions, see
#: :data:`SMALL_REGIONS`). https://aws.amazon.com/about-aws/whats-new/2017/06/amazon-api-gateway-increases-account-level-throttle-limits-to-10000-requests-per-second-rps/
ACCOUNT_RATE = 10_000
ACCOUNT_BURST = 5_000
#: Regions whose default is 2,500 RPS with a 1,250 burst (Q).
SMALL_REGIONS = frozenset({
    "af-south-1", "eu-south-1", "ap-southeast-3", "me-central-1", "ap-south-2", "ap-southeast-4",
    "eu-south-2", "eu-central-2", "il-central-1", "ca-west-1", "ap-southeast-5", "ap-southeast-7",
    "mx-central-1",
})
SMALL_REGION_RATE = 2_500
SMALL_REGION_BURST = 1_250

#: REST integration timeout: 50 ms - 29 s, default 29 s (Q). Regional and private REST APIs may
#: raise it above 29 s since June 2024 (https://aws.amazon.com/about-aws/whats-new/2024/06/amazon-api-gateway-integration-timeout-limit-29-seconds/);
#: the simulator accepts up to 300 s for them (reported maximum, not a documented one).
REST_TIMEOUT_MS_DEFAULT = 29_000
REST_TIMEOUT_MS_MIN = 50
REST_TIMEOUT_MS_MAX_REGIONAL = 300_000
#: HTTP API integration timeout: 50 ms - 30 s, default 30 s; WebSocket: 50 ms - 29 s, default
#: 29 s (AWS::ApiGatewayV2::Integration TimeoutInMillis, CloudFormation reference).
HTTP_TIMEOUT_MS_DEFAULT = 30_000
HTTP_TIMEOUT_MS_MAX = 30_000
WS_TIMEOUT_MS_DEFAULT = 29_000
WS_TIMEOUT_MS_MAX = 29_000
#: Lambda authorizer on HTTP APIs: 10 s (Q, HTTP API quotas); REST authorizers run under the
#: integration's 29 s (assumption: not documented separately).
HTTP_AUTHORIZER_TIMEOUT_MS = 10_000

#: Authorizer result cache: default 300 s, 0 - 3,600 s
#: (https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html).
AUTHORIZER_TTL_DEFAULT_S = 300
AUTHORIZER_TTL_MAX_S = 3_600

#: Stage response cache TTL: default 300 s, 0 - 3,600 s; item <= 1,048,576 bytes; sizes in GB
#: (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html).
CACHE_TTL_DEFAULT_S = 300
CACHE_TTL_MAX_S = 3_600
CACHE_ITEM_MAX_BYTES = 1_048_576
CACHE_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")

#: Stage variables: names [A-Za-z0-9_] up to 64 characters, values up to 512 (Q).
STAGE_VARIABLE_NAME_MAX = 64
STAGE_VARIABLE_VALUE_MAX = 512
#: HTTP API: 300 routes, 300 integrations, 10 stages, 10 authorizers per API (HTTP API quotas).
HTTP_ROUTES_MAX = 300
HTTP_STAGES_MAX = 10
HTTP_AUTHORIZERS_MAX = 10
#: REST: 300 resources per API (Q).
REST_RESOURCES_MAX = 300
#: API keys 10,000 per Region, usage plans 300, usage plans per key 10 (Q).
API_KEYS_MAX = 10_000
USAGE_PLANS_MAX = 300
PLANS_PER_KEY_MAX = 10
#: API key value: at least 20 characters (CreateApiKey), 40 generated.
API_KEY_MIN_LENGTH = 20
API_KEY_MAX_LENGTH = 128

#: WebSocket: 128 KB message, 32 KB frame, 2 h connection, 10 min idle (WebSocket quotas).
WS_MESSAGE_MAX_BYTES = 128 * 1024
WS_CONNECTION_MAX_S = 2 * 3600
WS_IDLE_TIMEOUT_S = 10 * 60

#: Payload: 10 MB (Q), but a Lambda proxy request is capped at Lambda's 6 MB synchronous payload.
PAYLOAD_MAX_BYTES = 10 * 1024 * 1024
