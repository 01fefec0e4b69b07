"""A real SQS-compatible queue for the tests: moto's server mode on 127.0.0.1, spoken to
over HTTP with boto3 exactly as the hub speaks to AWS. Absent or not starting, it skips
the tests locally and fails them under CI=true (tests/essential.py)."""

from __future__ import annotations

import copy
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from causeway.connectors.amazon_notifications import QueueSettings
from tests.essential import unavailable
from tests.vendor_samples import load_sample

REGION = "us-east-1"
# Dummy credentials: the server is local, and nothing here may reach AWS.
KEY_ID, SECRET = "testing", "testing"
START_TIMEOUT = 15.0


@dataclass
class LocalSqs:
    endpoint_url: str
    server: Any

    def client(self) -> Any:
        return boto3.client(
            "sqs",
            region_name=REGION,
            endpoint_url=self.endpoint_url,
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
            config=Config(retries={"total_max_attempts": 1}),
        )

    def new_queue(self, *, visibility_timeout: int = 30) -> str:
        """A fresh queue (the server is shared by the session): its URL."""
        name = f"order-change-{uuid.uuid4().hex[:12]}"
        answer = self.client().create_queue(
            QueueName=name, Attributes={"VisibilityTimeout": str(visibility_timeout)}
        )
        return str(answer["QueueUrl"])

    def settings(self, queue_url: str, **overrides: Any) -> QueueSettings:
        values: dict[str, Any] = dict(
            queue_url=queue_url,
            region=REGION,
            endpoint_url=self.endpoint_url,
            access_key_id=KEY_ID,
            secret_access_key=SECRET,
            wait_seconds=1,
        )
        return QueueSettings(**(values | overrides))

    def hub_settings(self, queue_url: str) -> dict[str, Any]:
        """An Amazon system's `notifications:` block in causeway.yaml for this queue."""
        return {
            "queue_url": queue_url,
            "region": REGION,
            "endpoint_url": self.endpoint_url,
            "access_key_id": KEY_ID,
            "secret_access_key": SECRET,
            "wait_seconds": 1,
        }

    def depth(self, queue_url: str) -> int:
        """Messages still in the queue, visible or in flight."""
        attributes = self.client().get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


def start_local_sqs(host: str = "127.0.0.1", port: int = 0) -> LocalSqs:
    """Start moto's server (port 0: a free one) and prove it answers SQS calls."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        unavailable(f"moto[server] is not installed, no local SQS: {error}")
    # A port that cannot be bound would only fail inside moto's own thread: checked here.
    try:
        with socket.socket() as probe:
            probe.bind((host, port))
    except OSError as error:
        unavailable(f"no local SQS: {host}:{port} cannot be bound: {error}")
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    # start() waits forever when the server cannot bind: bounded here instead.
    starter = threading.Thread(target=server.start, daemon=True)
    starter.start()
    starter.join(START_TIMEOUT)
    if starter.is_alive():
        unavailable(f"moto's SQS server did not start on {host}:{port}")
    bound_host, bound_port = server.get_host_and_port()
    local = LocalSqs(f"http://{bound_host}:{bound_port}", server)
    try:
        local.client().list_queues()
    except Exception as error:
        server.stop()
        unavailable(f"moto's SQS server on {local.endpoint_url} does not answer: {error}")
    return local


def example_notification() -> dict[str, Any]:
    """The example Amazon's ORDER_CHANGE schema carries."""
    schema = load_sample("amazon", "OrderChangeNotification.json")
    return copy.deepcopy(schema["examples"][0])


def notification(
    notification_id: str, order_id: str, *, status: str = "Unshipped", **change: Any
) -> dict[str, Any]:
    """A notification built from the schema's example, with its own ids and status."""
    body = example_notification()
    body["NotificationMetadata"]["NotificationId"] = notification_id
    order_change = body["Payload"]["OrderChangeNotification"]
    order_change["AmazonOrderId"] = order_id
    order_change["OrderChangeType"] = "OrderStatusChange"
    order_change["Summary"]["OrderStatus"] = status
    order_change.update(change)
    return body
