"""Amazon SNS: topics, subscriptions, filter policies and delivery on the virtual clock."""

from .service import SNS, HttpRequest, SNSConfig

__all__ = ["SNS", "SNSConfig", "HttpRequest"]
