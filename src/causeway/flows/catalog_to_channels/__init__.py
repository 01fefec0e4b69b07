"""catalog-to-channels: the ERP owns product data; every store shows it without retyping.

The flow is in flow.py, what each channel sells in channels.py, its decisions in
decisions.py; their public names are importable from this package.
"""

from causeway.flows.catalog_to_channels.channels import Assortment, CatalogChannelSettings
from causeway.flows.catalog_to_channels.decisions import (
    fingerprint,
    parked_mark,
    products_to_publish,
    version,
)
from causeway.flows.catalog_to_channels.flow import (
    LISTING,
    NAME,
    PRODUCT,
    STORE_EDIT_TOPICS,
    STORE_PRODUCT,
    CatalogToChannels,
    product_job,
    store_edit_job,
)

__all__ = [
    "LISTING",
    "NAME",
    "PRODUCT",
    "STORE_EDIT_TOPICS",
    "STORE_PRODUCT",
    "Assortment",
    "CatalogChannelSettings",
    "CatalogToChannels",
    "fingerprint",
    "parked_mark",
    "product_job",
    "products_to_publish",
    "store_edit_job",
    "version",
]
