"""Stateful test: a standard queue (through the wire operations) against a tiny reference model.

The model: each message has a send sequence, a visible-at time, a receive count and its latest
receipt handle; receive returns the visible messages in send order; retention drops messages
60 s after sending (the queue's MessageRetentionPeriod is set to its minimum, 60 s)."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from serverless_sim import Cloud
from serverless_sim.kernel.errors import AWSError
from serverless_sim.services import SERVICES

SERVICES.setdefault("sqs", ("serverless_sim.sqs.service", "SQS"))

US = 1_000_000
RETENTION = 60
DEFAULT_VIS = 7


class SQSMachine(RuleBasedStateMachine):
    handles = Bundle("handles")

    @initialize()
    def setup(self) -> None:
        self.cloud = Cloud(seed=1)
        self.svc = self.cloud.service("sqs")
        self.url = self.svc.dispatch("CreateQueue", {"QueueName": "m", "Attributes": {
            "VisibilityTimeout": str(DEFAULT_VIS), "MessageRetentionPeriod": str(RETENTION)}})["QueueUrl"]
        self.now = 0
        self.seq = 0
        # id -> dict(seq, body, sent, visible_at, count, handle, received_at)
        self.model: dict[str, dict] = {}
        self.handle_owner: dict[str, str] = {}

    def _expire(self) -> None:
        for mid in [m for m, v in self.model.items() if v["sent"] + RETENTION * US <= self.now]:
            del self.model[mid]

    @rule(body=st.text(alphabet="abc", min_size=1, max_size=3))
    def send(self, body: str) -> None:
        r = self.svc.dispatch("SendMessage", {"QueueUrl": self.url, "MessageBody": body})
        self.seq += 1
        self.model[r["MessageId"]] = dict(seq=self.seq, body=body, sent=self.now, visible_at=self.now,
                                          count=0, handle=None, received_at=None)

    @rule(target=handles, n=st.integers(1, 10), vis=st.one_of(st.none(), st.integers(0, 20)))
    def receive(self, n: int, vis: int | None):
        self._expire()
        req = {"QueueUrl": self.url, "MaxNumberOfMessages": n}
        if vis is not None:
            req["VisibilityTimeout"] = vis
        got = self.svc.dispatch("ReceiveMessage", req).get("Messages", [])
        ready = sorted((v["seq"], mid) for mid, v in self.model.items() if v["visible_at"] <= self.now)
        expected = [mid for _, mid in ready[:n]]
        assert [m["MessageId"] for m in got] == expected
        for m in got:
            v = self.model[m["MessageId"]]
            assert m["Body"] == v["body"]
            v["count"] += 1
            v["visible_at"] = self.now + (DEFAULT_VIS if vis is None else vis) * US
            v["handle"] = m["ReceiptHandle"]
            v["received_at"] = self.now
            self.handle_owner[m["ReceiptHandle"]] = m["MessageId"]
        return got[0]["ReceiptHandle"] if got else "not-a-handle"

    @rule(handle=handles)
    def delete(self, handle: str) -> None:
        self._expire()
        try:
            self.svc.dispatch("DeleteMessage", {"QueueUrl": self.url, "ReceiptHandle": handle})
        except AWSError as err:
            assert handle not in self.handle_owner and err.code == "ReceiptHandleIsInvalid"
            return
        self.model.pop(self.handle_owner[handle], None)

    @rule(handle=handles, t=st.integers(0, 30))
    def change_visibility(self, handle: str, t: int) -> None:
        self._expire()
        mid = self.handle_owner.get(handle)
        v = self.model.get(mid) if mid else None
        ok = v is not None and v["handle"] == handle and v["visible_at"] > self.now
        try:
            self.svc.dispatch("ChangeMessageVisibility",
                              {"QueueUrl": self.url, "ReceiptHandle": handle, "VisibilityTimeout": t})
        except AWSError as err:
            assert not ok, err
            return
        assert ok
        v["visible_at"] = self.now + t * US

    @rule(seconds=st.sampled_from([0.5, 1, 3, 7, 20, 61]))
    def advance(self, seconds: float) -> None:
        self.cloud.advance(seconds)
        self.now += round(seconds * US)

    @invariant()
    def counts_agree(self) -> None:
        if not hasattr(self, "model"):
            return
        self._expire()
        a = self.svc.dispatch("GetQueueAttributes", {"QueueUrl": self.url, "AttributeNames": ["All"]})["Attributes"]
        visible = sum(1 for v in self.model.values() if v["visible_at"] <= self.now)
        assert (int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"])) == \
            (visible, len(self.model) - visible)
        self.svc.queues["m"]._check()


TestSQSStateful = SQSMachine.TestCase
