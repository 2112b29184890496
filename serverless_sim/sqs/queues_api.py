"""SQS control-plane wire operations: queues, their attributes, tags, purge, DLQ sources.

Rules: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
(names; same name with identical attributes returns the existing URL, different values are
``QueueAlreadyExists``; a deleted name is reusable after 60 s), API_ListQueues.html (prefix,
MaxResults 1-1,000, NextToken only when MaxResults is set), API_GetQueueAttributes.html.
Queues list in name order (AWS documents no order; this one is deterministic).
"""

from __future__ import annotations

import base64
import json
import re
from typing import TYPE_CHECKING, Any, cast

from ..kernel.service import operation
from . import attributes as A
from . import limits as L
from .errors import (
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidParameterValue,
    MissingParameter,
    QueueDeletedRecently,
    QueueNameExists,
    invalid_value,
)
from .queue import Queue

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .service import SQS

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}\.fifo$")


def _token(name: str) -> str:
    return base64.b64encode(json.dumps({"after": name}).encode()).decode()


def _untoken(token: Any) -> str:
    try:
        after = json.loads(base64.b64decode(token, validate=True))["after"]
        if isinstance(after, str):
            return after
    except (ValueError, TypeError, KeyError):
        pass
    raise InvalidParameterValue("Invalid NextToken value.")


def _page(names: list[str], req: dict[str, Any]) -> tuple[list[str], str | None]:
    max_results = req.get("MaxResults")
    if max_results is not None and (type(max_results) is not int
                                    or not 1 <= max_results <= L.LIST_QUEUES_MAX):
        raise invalid_value("MaxResults", max_results,
                            f"MaxResults must be an integer between 1 and {L.LIST_QUEUES_MAX}.")
    token = req.get("NextToken")
    if token is not None:
        after = _untoken(token)
        names = [n for n in names if n > after]
    limit = L.LIST_QUEUES_MAX if max_results is None else max_results
    page = names[:limit]
    more = max_results is not None and len(names) > limit
    return page, (_token(page[-1]) if more else None)


class QueueOps:
    """Mixin of :class:`~.service.SQS`: the control-plane operations."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _by_arn: dict[str, Queue]
        _by_url: dict[str, Queue]
        _deleted_at: dict[str, int]
        _qid: int
        cloud: Cloud
        queues: dict[str, Queue]
        def _dlq_lookup(self, arn: str) -> tuple[bool, str | None] | None: ...
        def queue_for_request(self, req: dict[str, Any]) -> Queue: ...

    @operation("CreateQueue")
    def _create_queue(self, req: dict[str, Any]) -> dict[str, Any]:
        name = req.get("QueueName")
        if not isinstance(name, str):
            raise MissingParameter("The request must contain the parameter QueueName.")
        given = req.get("Attributes") or {}
        if not isinstance(given, dict):
            raise InvalidAttributeValue("Attributes must be a map.")
        fifo_attr = str(given.get("FifoQueue", "false")).lower() == "true"
        if fifo_attr:
            if not _FIFO_NAME.match(name):
                raise InvalidParameterValue(
                    "The name of a FIFO queue can only include alphanumeric characters, hyphens, "
                    "or underscores, must end with .fifo suffix and be 1 to 80 in length."
                )
        elif not _NAME.match(name):
            raise InvalidParameterValue(
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
            )
        given = {k: v for k, v in given.items() if not (k == "FifoQueue" and not fifo_attr)}
        arn = self.cloud.arn("sqs", name)
        values = A.validate(given, fifo=fifo_attr, source_arn=arn, lookup=self._dlq_lookup,
                            creating=True)
        _check_combination(values, {})
        tags = req.get("tags") or {}
        existing = self.queues.get(name)
        if existing is not None:
            for k, v in values.items():
                if k == "FifoQueue":
                    continue
                if existing.attributes.get(k, "") != v:
                    raise QueueNameExists(
                        "A queue already exists with the same name and a different value for "
                        f"attribute {k}"
                    )
            return {"QueueUrl": existing.url}
        deleted_at = self._deleted_at.get(name)
        if deleted_at is not None and self.cloud.now_us - deleted_at < L.QUEUE_REUSE_WAIT_S * L.US:
            raise QueueDeletedRecently()
        self._qid += 1
        q = Queue(cast("SQS", self), name, self._qid, values, tags)
        self.queues[name] = q
        self._by_arn[q.arn] = q
        self._by_url[q.url] = q
        self.cloud.trace.record("sqs", "queue_created", queue=name, fifo=q.fifo)
        return {"QueueUrl": q.url}

    @operation("GetQueueUrl")
    def _get_queue_url(self, req: dict[str, Any]) -> dict[str, Any]:
        name = req.get("QueueName")
        if not isinstance(name, str):
            raise MissingParameter("The request must contain the parameter QueueName.")
        owner = req.get("QueueOwnerAWSAccountId")
        q = self.queues.get(name)
        if q is None or (owner is not None and owner != self.cloud.account_id):
            from .errors import QueueDoesNotExist

            raise QueueDoesNotExist()
        return {"QueueUrl": q.url}

    @operation("ListQueues")
    def _list_queues(self, req: dict[str, Any]) -> dict[str, Any]:
        prefix = req.get("QueueNamePrefix") or ""
        names = sorted(n for n in self.queues if n.startswith(prefix))
        page, token = _page(names, req)
        out: dict[str, Any] = {}
        if page:
            out["QueueUrls"] = [self.queues[n].url for n in page]
        if token:
            out["NextToken"] = token
        return out

    @operation("DeleteQueue")
    def _delete_queue(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        q.close()
        del self.queues[q.name]
        del self._by_arn[q.arn]
        self._by_url.pop(q.url, None)
        self._deleted_at[q.name] = self.cloud.now_us
        self.cloud.trace.record("sqs", "queue_deleted", queue=q.name)
        return {}

    @operation("GetQueueAttributes")
    def _get_queue_attributes(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        names = req.get("AttributeNames") or []
        for n in names:
            if n != "All" and n not in A.ALL_ORDER:
                raise InvalidAttributeName(f"Unknown Attribute {n}.")
        if not names:
            return {}
        wanted = A.ALL_ORDER if "All" in names else [n for n in A.ALL_ORDER if n in names]
        visible, inflight, delayed = q.counts()
        computed = {
            "QueueArn": q.arn,
            "ApproximateNumberOfMessages": str(visible),
            "ApproximateNumberOfMessagesNotVisible": str(inflight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
            "CreatedTimestamp": str(q.created_us // L.US),
            "LastModifiedTimestamp": str(q.modified_us // L.US),
        }
        out: dict[str, str] = {}
        for n in wanted:
            if n in computed:
                out[n] = computed[n]
            elif n in q.attributes:
                out[n] = q.attributes[n]
        return {"Attributes": out}

    @operation("SetQueueAttributes")
    def _set_queue_attributes(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        if "Attributes" not in req:
            raise MissingParameter("The request must contain the parameter Attributes.")
        values = A.validate(req["Attributes"], fifo=q.fifo, source_arn=q.arn,
                            lookup=self._dlq_lookup, creating=False)
        _check_combination(values, q.attributes)
        q.set_attributes(values)
        return {}

    @operation("PurgeQueue")
    def _purge_queue(self, req: dict[str, Any]) -> dict[str, Any]:
        self.queue_for_request(req).purge()
        return {}

    @operation("TagQueue")
    def _tag_queue(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        tags = req.get("Tags")
        if not isinstance(tags, dict) or not tags:
            raise MissingParameter("The request must contain the parameter Tags.")
        q.tags.update(tags)
        return {}

    @operation("UntagQueue")
    def _untag_queue(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        keys = req.get("TagKeys")
        if not isinstance(keys, list) or not keys:
            raise MissingParameter("The request must contain the parameter TagKeys.")
        for k in keys:
            q.tags.pop(k, None)
        return {}

    @operation("ListQueueTags")
    def _list_queue_tags(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        return {"Tags": dict(q.tags)} if q.tags else {}

    @operation("ListDeadLetterSourceQueues")
    def _list_dead_letter_source_queues(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        names = sorted(n for n, s in self.queues.items() if s.redrive_arn == q.arn)
        page, token = _page(names, req)
        out: dict[str, Any] = {"queueUrls": [self.queues[n].url for n in page]}
        if token:
            out["NextToken"] = token
        return out


def _check_combination(values: dict[str, str], current: dict[str, str]) -> None:
    """High-throughput FIFO: perMessageGroupId needs DeduplicationScope messageGroup [API-CQ]."""
    merged = {**current, **values}
    if merged.get("FifoThroughputLimit") == "perMessageGroupId" and merged.get(
        "DeduplicationScope"
    ) == "queue":
        raise InvalidAttributeValue(
            "Invalid value for the parameter FifoThroughputLimit. Reason: To set "
            "FifoThroughputLimit to perMessageGroupId, the DeduplicationScope must be messageGroup."
        )
