"""An Amazon selling account: Login with Amazon accepts the app's refresh token, the
Orders API answers for the configured marketplaces, and the ORDER_CHANGE queue (when one
is configured) is there to be read. Each failure says what to do in Seller Central or AWS.

The checks cost one token exchange, one searchOrders (of searchOrders' burst of 20) and
one SQS GetQueueAttributes: nothing is read that a running hub would miss.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from botocore import exceptions as botocore_errors  # type: ignore[import-untyped]

from causeway.checks.result import Check, failed, passed
from causeway.config.systems import AmazonSystem
from causeway.connectors.amazon.client import AmazonApiError
from causeway.connectors.amazon.connector import ORDERS_PATH, AmazonConnector
from causeway.connectors.amazon_notifications import queue_settings
from causeway.connectors.amazon_notifications.reader import sqs_client
from causeway.errors import PermanentError, RetryableError

AUTHORISE = (
    "re-authorise the app in Seller Central (Apps and Services > Develop Apps > Authorize) "
    "and set systems.{name}.refresh_token to the new refresh token (Atzr|...); check "
    "systems.{name}.client_id and client_secret against the app's LWA credentials"
)
# How far back the cheap search looks: any recent moment will do, the answer is not used.
RECENT = timedelta(hours=1)


def check_amazon(name: str, system: AmazonSystem, amazon: AmazonConnector) -> list[Check]:
    token = _token(name, system, amazon)
    if not token.ok:
        return [token]
    found = [token, _marketplaces(name, system, amazon)]
    if system.notifications is not None:
        found.append(_queue(name, system))
    return found


def _token(name: str, system: AmazonSystem, amazon: AmazonConnector) -> Check:
    what = f"Login with Amazon accepts the refresh token ({system.token_url})"
    try:
        amazon.client.tokens.access_token()
    except PermanentError as exc:
        return failed(name, what, f"{exc}. To fix: {AUTHORISE.format(name=name)}")
    except Exception as exc:  # Transient, network: the token endpoint was not reached
        return failed(
            name,
            what,
            f"could not reach it ({exc}): check systems.{name}.token_url and that this "
            f"machine reaches it",
        )
    return passed(name, what)


def _marketplaces(name: str, system: AmazonSystem, amazon: AmazonConnector) -> Check:
    ids = ", ".join(system.marketplace_ids)
    what = f"Orders API answers for marketplaces {ids} at {system.endpoint}"
    since = (datetime.now(UTC) - RECENT).strftime("%Y-%m-%dT%H:%M:%SZ")
    params = {"lastUpdatedAfter": since, "marketplaceIds": system.marketplace_ids}
    try:
        amazon.client.get("searchOrders", ORDERS_PATH, params | {"maxResultsPerPage": 1})
    except AmazonApiError as exc:
        return failed(
            name,
            what,
            f"{exc}: check that systems.{name}.marketplace_ids are marketplaces this selling "
            f"account sells in (ids such as ATVPDKIKX0DER, not amazon.com) and that "
            f"systems.{name}.endpoint is their region's",
        )
    except PermanentError as exc:
        return failed(
            name,
            what,
            f"{exc}: give the app the Inventory and Order Tracking role in Seller Central "
            f"(Develop Apps > Edit App), then {AUTHORISE.format(name=name)}",
        )
    except RetryableError as exc:
        return failed(
            name, what, f"{exc}; check systems.{name}.endpoint and that this machine reaches it"
        )
    return passed(name, what)


def _queue(name: str, system: AmazonSystem) -> Check:
    assert system.notifications is not None
    url = system.notifications.queue_url
    what = f"ORDER_CHANGE queue {url} reachable"
    settings = queue_settings(system.notifications)
    try:
        sqs_client(settings).get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )
    except botocore_errors.ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        if "NonExistentQueue" in code or "QueueDoesNotExist" in code:
            fix = (
                f"no such queue: create it in SQS (region {settings.region}) with the policy "
                f"that lets Amazon send to it, register it as a destination and subscribe the "
                f"account to ORDER_CHANGE (docs/connectors/amazon.md, Notifications), or fix "
                f"systems.{name}.notifications.queue_url"
            )
        elif "AccessDenied" in code or "InvalidClientTokenId" in code or "Signature" in code:
            fix = (
                f"SQS refused the key ({code}): give systems.{name}.notifications' IAM key "
                f"(or the instance role) sqs:ReceiveMessage, sqs:DeleteMessage and "
                f"sqs:GetQueueAttributes on the queue"
            )
        else:
            fix = f"SQS refused it ({code}: {error.get('Message', '')})"
        return failed(name, what, fix)
    except botocore_errors.NoCredentialsError:
        return failed(
            name,
            what,
            f"no AWS credentials: set systems.{name}.notifications.access_key_id and "
            f"secret_access_key, or run the hub with an instance role",
        )
    except botocore_errors.BotoCoreError as exc:
        return failed(
            name,
            what,
            f"could not reach SQS ({exc}): check systems.{name}.notifications.queue_url, "
            f"region and endpoint_url, and that this machine reaches it",
        )
    return passed(name, what)
