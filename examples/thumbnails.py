"""Thumbnails: an S3 upload triggers a Lambda function that writes a thumbnail to another bucket.

    uploads/photos/cat.jpg --(s3:ObjectCreated:*, suffix .jpg)--> thumbnailer --> thumbnails/photos/cat.jpg

The function is a real deployment package (``app.py``, given as source and zipped
deterministically), written exactly as it would be for AWS: it makes its own boto3 S3 client.
As AWS's Python runtime ships boto3, the simulator points the package's boto3 at the Cloud while
its code runs, so that client answers from the Cloud (needs boto3:
``pip install 'serverless_sim[boto3]'``). No image library: "resizing" keeps every
4th byte behind a small header, a deterministic smaller byte string.

Run it:  python examples/thumbnails.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from serverless_sim import Cloud  # noqa: E402

UPLOADS, THUMBS = "photo-uploads", "photo-thumbnails"

APP_PY = '''\
import os
import urllib.parse

import boto3

s3 = boto3.client("s3")                       # created once per environment, at Init
OUT = os.environ["THUMBNAIL_BUCKET"]
SCALE = int(os.environ.get("SCALE", "4"))


def resize(data: bytes, scale: int) -> bytes:
    """Not a real resize: a header and every ``scale``-th byte (deterministic, smaller)."""
    return b"THUMB/%d:" % scale + data[::scale]


def handler(event, context):
    done = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        original = s3.get_object(Bucket=bucket, Key=key)
        thumb = resize(original["Body"].read(), SCALE)
        s3.put_object(Bucket=OUT, Key=key, Body=thumb, ContentType="image/jpeg",
                      Metadata={"source-etag": original["ETag"].strip('"')})
        print(f"thumbnail {key}: {original['ContentLength']} -> {len(thumb)} bytes")
        done.append(key)
    return {"thumbnails": done}
'''


def build(cloud: Cloud) -> dict:
    """Create the two buckets, the function and the bucket notification."""
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=UPLOADS)
    s3.create_bucket(Bucket=THUMBS)
    lam = cloud.service("lambda")
    lam.create_function_from_source(
        "thumbnailer", {"app.py": APP_PY}, handler="app.handler", memory=512, timeout=30,
        environment={"THUMBNAIL_BUCKET": THUMBS, "SCALE": "4"},
    )
    arn = cloud.client("lambda").get_function(FunctionName="thumbnailer")["Configuration"]["FunctionArn"]
    s3.put_bucket_notification_configuration(Bucket=UPLOADS, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "Id": "make-thumbnails", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "photos/"},
                                               {"Name": "suffix", "Value": ".jpg"}]}},
        }],
    })
    return {"uploads": UPLOADS, "thumbnails": THUMBS, "function": "thumbnailer"}


def upload_photos(cloud: Cloud, n: int = 5) -> list[str]:
    """``n`` uploads a few virtual seconds apart (sizes from a seeded stream), plus one file the
    filter ignores. Returns the keys that should get a thumbnail."""
    s3, rng = cloud.client("s3"), cloud.rng("examples/thumbnails/photos")
    keys = []
    for i in range(n):
        size = rng.randint(2_000, 40_000)
        body = bytes(rng.getrandbits(8) for _ in range(size))
        key = f"photos/IMG_{i:04d}.jpg"
        s3.put_object(Bucket=UPLOADS, Key=key, Body=body, ContentType="image/jpeg")
        keys.append(key)
        cloud.advance(rng.uniform(1, 10))
    s3.put_object(Bucket=UPLOADS, Key="photos/notes.txt", Body=b"not a photo")
    return keys


def run(cloud: Cloud, n: int = 5) -> dict:
    """Build, upload ``n`` photos and let the notifications run; returns what happened."""
    build(cloud)
    keys = upload_photos(cloud, n)    # the handler's own boto3 client talks to this Cloud
    cloud.run_until_idle()
    s3 = cloud.client("s3")
    thumbs = s3.list_objects_v2(Bucket=THUMBS).get("Contents", [])
    sizes = {o["Key"]: (s3.head_object(Bucket=UPLOADS, Key=o["Key"])["ContentLength"], o["Size"])
             for o in thumbs}
    return {"uploaded": keys, "thumbnails": sizes,
            "invocations": cloud.service("lambda").stats("thumbnailer")["invocations"]}


def main() -> None:
    cloud = Cloud(seed=7, start="2026-01-01T00:00:00Z")
    out = run(cloud)
    print(f"thumbnails: {len(out['uploaded'])} photos uploaded -> {len(out['thumbnails'])} thumbnails "
          f"({out['invocations']} invocations)")
    for key, (size, thumb) in out["thumbnails"].items():
        print(f"  {key}: {size:,} -> {thumb:,} bytes")
    print(f"  virtual time {cloud.now.isoformat()}, trace digest {cloud.trace.digest()[:16]}")


if __name__ == "__main__":
    main()
