"""Amazon S3."""

from .body import StreamingBody
from .service import S3, S3Config

__all__ = ["S3", "S3Config", "StreamingBody"]
