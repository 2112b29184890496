"""Lambda's documented numbers, in one place, each with its source.

Sources (read 2026-11):

- [quotas] https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
- [invoke] https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
- [scaling] https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html
- [res-conc] https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
- [lifecycle] https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
- [memory] https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
- [timeout] https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
- [snapstart] https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html
- [pricing] https://aws.amazon.com/lambda/pricing/ (US East (N. Virginia), first tier)
- [async-err] https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
- [put-eic] https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
- [async-rec] https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
- [esm-api] https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
- [sqs-scaling] https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
- [scalingcfg] https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html
- [ddb-params] https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html
- [filter] https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
"""

from __future__ import annotations

# -- configuration ranges -----------------------------------------------------------------
MEMORY_MIN_MB = 128  # [memory] 128 MB to 10,240 MB in 1-MB increments
MEMORY_MAX_MB = 10_240
MEMORY_DEFAULT_MB = 128
TIMEOUT_MIN_S = 1  # [timeout] 1 s to 900 s (15 minutes); default 3 s
TIMEOUT_MAX_S = 900
TIMEOUT_DEFAULT_S = 3
#: [quotas] "Environment variables: 4 KB, for all environment variables associated with the
#: function, in aggregate"; measured on the JSON text of the Variables map, as AWS's error
#: message shows ("String measured: {...}").
ENV_VARS_MAX_BYTES = 4 * 1024
EPHEMERAL_STORAGE_DEFAULT_MB = 512  # [quotas] 512 MB to 10,240 MB
EPHEMERAL_STORAGE_MAX_MB = 10_240
DESCRIPTION_MAX = 256
FUNCTION_NAME_MAX = 64  # [invoke] "If you specify only the function name, it is limited to 64"
HANDLER_MAX = 128

# -- payloads [invoke] ----------------------------------------------------------------------
#: "For synchronous invocations, the maximum payload size is 6 MB. For asynchronous
#: invocations, the maximum payload size is 1 MB." (6 MB = 6,291,456 bytes; 1 MB = 1,048,576.)
SYNC_PAYLOAD_MAX_BYTES = 6 * 1024 * 1024
ASYNC_PAYLOAD_MAX_BYTES = 1024 * 1024
#: LogType=Tail returns "the last 4 KB of the execution log" [invoke].
LOG_TAIL_BYTES = 4 * 1024
#: Deployment package: 50 MB zipped (direct upload), 250 MB unzipped [quotas].
ZIP_MAX_BYTES = 50 * 1024 * 1024
UNZIPPED_MAX_BYTES = 250 * 1024 * 1024

# -- concurrency ------------------------------------------------------------------------------
ACCOUNT_CONCURRENCY_DEFAULT = 1_000  # [quotas] "Concurrent executions: 1,000"
#: [res-conc] "You can reserve up to the Unreserved account concurrency value minus 100. The
#: remaining 100 units of concurrency are for functions that aren't using reserved concurrency."
#: Accounts with a lower quota keep min(100, quota) (observed in the error text "below its
#: minimum value of [10]" on 10-concurrency accounts).
UNRESERVED_MIN = 100
#: [scaling] "each synchronously invoked function can scale by 1,000 concurrent executions every
#: 10 seconds" (per function, refilled continuously, unused rate does not accrue beyond 1,000).
SCALING_ENVS_PER_WINDOW = 1_000
SCALING_WINDOW_S = 10

# -- lifecycle [lifecycle] ---------------------------------------------------------------------
INIT_LIMIT_S = 10  # "The Init phase is limited to 10 seconds."
SHUTDOWN_LIMIT_MS = 2_000  # Shutdown is limited to 2 seconds (observable only in logs)
#: Idle reclaim is *not* documented; ~10 minutes is what Lambda was observed to do since 2019
#: (https://mikhail.io/2019/08/aws-lambda-cold-starts-after-10-minutes/). A parameter.
IDLE_RECLAIM_DEFAULT_S = 600

# -- SnapStart [snapstart] ------------------------------------------------------------------------
SNAPSTART_PYTHON_RUNTIMES = ("python3.12", "python3.13", "python3.14")

# -- runtimes -------------------------------------------------------------------------------------
#: Python runtimes Lambda accepts for new functions (others are deprecated for creation);
#: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
PYTHON_RUNTIMES = ("python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14")

# -- prices [pricing], USD, us-east-1 -----------------------------------------------------------
PRICE_PER_REQUEST = 0.20 / 1_000_000
PRICE_PER_GB_S = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
#: Provisioned concurrency: the configured concurrency per GB-s while enabled, and the duration
#: of invocations it serves (instead of the on-demand duration price).
PRICE_PC_PER_GB_S = {"x86_64": 0.0000041667, "arm64": 0.0000033334}
PRICE_PC_DURATION_PER_GB_S = {"x86_64": 0.0000097222, "arm64": 0.0000077778}
#: Free tier, per month: 1M requests and 400,000 GB-s (not for provisioned concurrency).
FREE_TIER_REQUESTS = 1_000_000
FREE_TIER_GB_S = 400_000

# -- asynchronous invocation [async-err] [put-eic] ---------------------------------------------
#: "by default Lambda attempts to run it two more times": MaximumRetryAttempts 0-2, default 2.
ASYNC_MAX_RETRIES_DEFAULT = 2
ASYNC_MAX_RETRIES_MAX = 2
#: "a one-minute wait between the first two attempts, and two minutes between the second and
#: third attempts" (measured here from the failed attempt's end).
ASYNC_RETRY_DELAYS_S = (60, 120)
#: MaximumEventAgeInSeconds 60-21,600, default 21,600 (6 hours).
ASYNC_MAX_EVENT_AGE_MIN_S = 60
ASYNC_MAX_EVENT_AGE_MAX_S = 21_600
#: Throttles (429) and system errors (5xx): "The retry interval increases exponentially from 1
#: second after the first attempt to a maximum of 5 minutes."
ASYNC_THROTTLE_BACKOFF_MIN_S = 1
ASYNC_THROTTLE_BACKOFF_MAX_S = 300
#: DLQ message attribute ErrorMessage: "The first 1 KB of the error message" [async-rec].
DLQ_ERROR_MESSAGE_MAX_BYTES = 1024

# -- event source mappings [esm-api] -------------------------------------------------------------
ESM_BATCH_SIZE_MAX = 10_000
#: https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html: "Lambda polls shards in your
#: DynamoDB stream for records at a base rate of four times per second."
STREAM_POLL_INTERVAL_US = 250_000
SQS_BATCH_SIZE_DEFAULT = 10
SQS_FIFO_BATCH_SIZE_MAX = 10
STREAM_BATCH_SIZE_DEFAULT = 100  # [ddb-params] default 100, maximum 10,000
#: MaximumBatchingWindowInSeconds 0-300; "When you set BatchSize to a value greater than 10, you
#: must set MaximumBatchingWindowInSeconds to at least 1."
ESM_BATCHING_WINDOW_MAX_S = 300
ESM_BATCH_WITHOUT_WINDOW_MAX = 10
#: An ESM invokes synchronously: a batch must fit the 6 MB synchronous payload.
ESM_BATCH_PAYLOAD_MAX_BYTES = SYNC_PAYLOAD_MAX_BYTES
#: [sqs-scaling] "Lambda begins with five concurrent batches ... increases the number of
#: processes that are reading batches by up to 300 more instances per minute ... up to 1,000".
SQS_POLLERS_INITIAL = 5
SQS_POLLERS_PER_MINUTE = 300
SQS_POLLERS_MAX = 1_000
#: [scalingcfg] ScalingConfig.MaximumConcurrency 2-1,000.
SQS_MAX_CONCURRENCY_MIN = 2
SQS_MAX_CONCURRENCY_MAX = 1_000
#: [ddb-params] MaximumRetryAttempts -1 (infinite, default) or 0-10,000; MaximumRecordAgeInSeconds
#: -1 (infinite, default) or 60-604,800; ParallelizationFactor 1-10; TumblingWindowInSeconds 0-900.
STREAM_MAX_RETRIES_MAX = 10_000
STREAM_MAX_RECORD_AGE_MIN_S = 60
STREAM_MAX_RECORD_AGE_MAX_S = 604_800
PARALLELIZATION_FACTOR_MAX = 10
TUMBLING_WINDOW_MAX_S = 900
#: [filter] "up to five different filters per event source mapping" (quota, raisable to 10).
ESM_FILTERS_MAX = 5
#: Not documented: the pause before a stream batch that failed is retried. An assumption:
#: exponential from 1 s, capped at 60 s (so infinite retries do not spin at one instant).
STREAM_RETRY_BACKOFF_MIN_S = 1
STREAM_RETRY_BACKOFF_MAX_S = 60
