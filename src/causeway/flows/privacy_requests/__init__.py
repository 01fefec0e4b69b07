"""privacy-requests: Shopify's privacy (compliance) webhooks, honoured.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.privacy_requests.flow import (
    CUSTOMER_REDACT,
    DATA_REQUEST,
    NAME,
    SHOP_REDACT,
    TOPICS,
    PrivacyRequests,
    request_job,
)

__all__ = [
    "CUSTOMER_REDACT",
    "DATA_REQUEST",
    "NAME",
    "SHOP_REDACT",
    "TOPICS",
    "PrivacyRequests",
    "request_job",
]
