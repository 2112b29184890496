"""Every number of Amazon SQS the simulator enforces, with where AWS documents it.

Sources:

- [API-CQ] CreateQueue, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
  (DelaySeconds 0-900 default 0; MaximumMessageSize 1,024-1,048,576 default 1,048,576;
  MessageRetentionPeriod 60-1,209,600 default 345,600; ReceiveMessageWaitTimeSeconds 0-20
  default 0; VisibilityTimeout 0-43,200 default 30; maxReceiveCount default 10; queue names up
  to 80 characters of ``[A-Za-z0-9_-]``, FIFO names end in ``.fifo``; KmsDataKeyReusePeriodSeconds
  60-86,400 default 300; up to 10 source queue ARNs in a RedriveAllowPolicy; a deleted queue's
  name can be reused after 60 seconds).
- [API-SMB] SendMessageBatch, .../API_SendMessageBatch.html (10 entries; each message and the
  batch total at most 1 MiB = 1,048,576 bytes; allowed characters of a body).
- [API-RM] ReceiveMessage, .../API_ReceiveMessage.html (MaxNumberOfMessages 1-10 default 1;
  WaitTimeSeconds 0-20; attribute names up to 256 characters).
- [API-CMV] ChangeMessageVisibility, .../API_ChangeMessageVisibility.html (0 s to 12 h from the
  receive).
- [API-PQ] PurgeQueue, .../API_PurgeQueue.html (one purge per 60 seconds).
- [API-LQ] ListQueues, .../API_ListQueues.html (at most 1,000 results).
- [API-SMMT] StartMessageMoveTask, .../API_StartMessageMoveTask.html (at most 500 messages per
  second; one active task per queue); ListMessageMoveTasks (MaxResults 1-10, default 1).
- [DG-QM] Message quotas, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
  (batch entry ids up to 80 characters; 10 message attributes; group and deduplication ids up to
  128 characters; 5-minute deduplication interval).
- [DG-META] Message metadata, .../sqs-message-metadata.html (attribute name rules, data types,
  MD5 of message attributes).
- [DG-DLQ] Dead-letter queues, .../sqs-dead-letter-queues.html (maxReceiveCount 1-1,000).
"""

from __future__ import annotations

US = 1_000_000

DELAY_MAX_S = 900                      # [API-CQ]
MESSAGE_SIZE_MIN = 1_024               # [API-CQ]
MESSAGE_SIZE_MAX = 1_048_576           # [API-CQ] [API-SMB] (1 MiB since 2025)
RETENTION_MIN_S = 60                   # [API-CQ]
RETENTION_MAX_S = 1_209_600            # [API-CQ] 14 days
RETENTION_DEFAULT_S = 345_600          # [API-CQ] 4 days
WAIT_MAX_S = 20                        # [API-CQ] [API-RM]
VISIBILITY_MAX_S = 43_200              # [API-CQ] [API-CMV] 12 hours
VISIBILITY_DEFAULT_S = 30              # [API-CQ]
KMS_REUSE_MIN_S = 60                   # [API-CQ]
KMS_REUSE_MAX_S = 86_400               # [API-CQ]
KMS_REUSE_DEFAULT_S = 300              # [API-CQ]
MAX_RECEIVE_COUNT_MIN = 1              # [DG-DLQ]
MAX_RECEIVE_COUNT_MAX = 1_000          # [DG-DLQ]
REDRIVE_ALLOW_MAX_SOURCES = 10         # [API-CQ]
QUEUE_NAME_MAX = 80                    # [API-CQ]
QUEUE_REUSE_WAIT_S = 60                # [API-CQ] (QueueDeletedRecently)
BATCH_MAX_ENTRIES = 10                 # [API-SMB]
BATCH_ID_MAX = 80                      # [DG-QM]
RECEIVE_MAX = 10                       # [API-RM]
MESSAGE_ATTRIBUTES_MAX = 10            # [DG-QM]
ATTRIBUTE_NAME_MAX = 256               # [DG-META]
ATTRIBUTE_TYPE_MAX = 256               # [DG-META]
GROUP_ID_MAX = 128                     # [DG-QM]
DEDUP_ID_MAX = 128                     # [DG-QM]
DEDUP_INTERVAL_S = 300                 # [DG-QM] 5 minutes
PURGE_INTERVAL_S = 60                  # [API-PQ]
LIST_QUEUES_MAX = 1_000                # [API-LQ]
MOVE_RATE_MAX = 500                    # [API-SMMT]
MOVE_TASKS_LIST_MAX = 10               # [API-SMMT]
