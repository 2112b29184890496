"""Every number of Amazon SNS the simulator enforces, with where AWS documents it.

- [Q] SNS quotas, https://docs.aws.amazon.com/general/latest/gr/sns.html (256 KiB message
  payload including attributes; 10 entries per PublishBatch; topic names up to 256 characters).
- [FP] Filter policy constraints, https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
  (at most 5 keys; at most 150 combinations, the product of the value counts of the arrays;
  numbers between -10^9 and 10^9 with five decimal digits; 256 KB per policy; 200 filter
  policies per topic by default).
- [DR] Message delivery retries, https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
  (AWS-managed endpoints - Lambda, SQS: 3 immediate retries, 2 one second apart, 10 with
  exponential backoff from 1 to 20 s, 100,000 twenty seconds apart: 100,015 over 23 days;
  HTTP/S custom policies: total retry time at most 3,600 s).
- [HTTP] https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.retry.html (by default an
  HTTP/S delivery is retried up to three times, 20 seconds apart).
- [FIFO] https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html (5-minute deduplication
  interval; MessageGroupId and MessageDeduplicationId up to 128 characters).
- [SUBJ] Publish, https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Subject: ASCII, no
  line breaks or control characters, at most 100 characters).
"""

from __future__ import annotations

US = 1_000_000
MESSAGE_MAX_BYTES = 262_144            # [Q]
BATCH_MAX_ENTRIES = 10                 # [Q]
BATCH_ID_MAX = 80                      # PublishBatchRequestEntry.Id, as SQS's
TOPIC_NAME_MAX = 256                   # [Q]
SUBJECT_MAX = 100                      # [SUBJ]
FILTER_MAX_KEYS = 5                    # [FP]
FILTER_MAX_COMBINATIONS = 150          # [FP]
FILTER_NUMBER_LIMIT = 1_000_000_000    # [FP]
FILTER_POLICY_MAX_BYTES = 256 * 1024   # [FP]
FILTER_POLICIES_PER_TOPIC = 200        # [FP]
DEDUP_INTERVAL_S = 300                 # [FIFO]
ID_MAX = 128                           # [FIFO]
MESSAGE_ATTRIBUTES_MAX = 10            # SQS raw delivery carries at most 10 (SQS quota)

#: The AWS-managed delivery policy (Lambda, SQS) [DR]: phases of (retries, delay) and a backoff.
MANAGED_IMMEDIATE = 3
MANAGED_PRE_BACKOFF = (2, 1)
MANAGED_BACKOFF = (10, 1, 20)          # retries, from, to (exponential)
MANAGED_POST_BACKOFF = (100_000, 20)

#: The default HTTP/S healthyRetryPolicy [HTTP] [DR].
HTTP_DEFAULT_POLICY = {
    "minDelayTarget": 20,
    "maxDelayTarget": 20,
    "numRetries": 3,
    "numMaxDelayRetries": 0,
    "numNoDelayRetries": 0,
    "numMinDelayRetries": 0,
    "backoffFunction": "linear",
}
HTTP_MAX_RETRY_TIME_S = 3_600          # [DR]
HTTP_MAX_RETRIES = 100                 # healthyRetryPolicy.numRetries upper bound
