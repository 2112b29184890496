"""Query-compatible services through the bridge: botocore raises the modelled exception class
while Error.Code keeps the legacy query code (as real SQS errors do)."""

import pytest

pytest.importorskip("boto3")

from serverless_sim import Cloud  # noqa: E402


def test_sqs_missing_queue_raises_the_modelled_class_with_the_query_code():
    sqs = Cloud().boto3_session().client("sqs", region_name="us-east-1")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as info:
        sqs.get_queue_url(QueueName="nope")
    err = info.value.response["Error"]
    assert err["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert err["QueryErrorCode"] == "QueueDoesNotExist"
    assert err["Message"] == "The specified queue does not exist."
