"""catalog-to-channels: the ERP owns product data; every store shows it without retyping.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.catalog_to_channels.flow import (
    LISTING,
    NAME,
    PRODUCT,
    STORE_EDIT_TOPICS,
    STORE_PRODUCT,
    CatalogToChannels,
    fingerprint,
    parked_mark,
    product_job,
    products_to_publish,
    refused_mark,
    store_edit_job,
)

__all__ = [
    "LISTING",
    "NAME",
    "PRODUCT",
    "STORE_EDIT_TOPICS",
    "STORE_PRODUCT",
    "CatalogToChannels",
    "fingerprint",
    "parked_mark",
    "product_job",
    "products_to_publish",
    "refused_mark",
    "store_edit_job",
]
