"""Where the ORDER_CHANGE queue is and how it is read: explicit settings, so that the same
reader serves the real AWS and a local SQS-compatible server (moto in the tests)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from causeway.config.systems import AmazonNotifications
from causeway.connectors.http_retry import RetryPolicy


class QueueSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    queue_url: str = Field(min_length=1)
    region: str = Field(min_length=1)
    # None: AWS's own endpoint for the region; set for a local or private endpoint.
    endpoint_url: str | None = None
    # Both or neither: without them boto3's default chain (an instance role) applies.
    access_key_id: str | None = None
    secret_access_key: SecretStr | None = None
    session_token: SecretStr | None = None
    # Long polling: SQS answers as soon as a message arrives, or after this many seconds
    # empty-handed (20 is SQS's maximum), so an idle queue costs three calls a minute.
    wait_seconds: int = Field(20, ge=0, le=20)
    max_messages: int = Field(10, ge=1, le=10)  # SQS hands out at most 10 per receive
    # None: the queue's own visibility timeout (set it well above one batch's commit).
    visibility_timeout: int | None = Field(None, ge=0, le=43200)
    retry: RetryPolicy = RetryPolicy()

    @model_validator(mode="after")
    def _credentials_paired(self) -> QueueSettings:
        if (self.access_key_id is None) != (self.secret_access_key is None):
            raise ValueError("set both access_key_id and secret_access_key, or neither")
        return self

    def client_kwargs(self) -> dict[str, Any]:
        """boto3.client("sqs", **these)."""
        kwargs: dict[str, Any] = {"region_name": self.region}
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        if self.access_key_id and self.secret_access_key:
            kwargs["aws_access_key_id"] = self.access_key_id
            kwargs["aws_secret_access_key"] = self.secret_access_key.get_secret_value()
            if self.session_token:
                kwargs["aws_session_token"] = self.session_token.get_secret_value()
        return kwargs


def queue_settings(configured: AmazonNotifications) -> QueueSettings:
    """The reader's settings of an Amazon system's `notifications:` block."""
    key = configured.access_key_id
    return QueueSettings(
        queue_url=configured.queue_url,
        region=configured.region,
        endpoint_url=configured.endpoint_url,
        access_key_id=key.get_secret_value() if key is not None else None,
        secret_access_key=configured.secret_access_key,
        wait_seconds=configured.wait_seconds,
        visibility_timeout=configured.visibility_timeout,
        max_messages=10,  # SQS's most per receive: each batch is one inbox commit
    )
