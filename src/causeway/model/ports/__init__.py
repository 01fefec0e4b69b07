"""The ports: what a channel (store, marketplace), an ERP and a CRM give the flows.

Flows type their collaborators with these protocols and import no connector;
connectors implement them and keep their own payload shapes and parsers. Each
module is one role: channel.py, erp.py, crm.py, and files.py for the drop folder;
locks.py is what the hub gives connectors that find-or-create shared records;
records.py is where a person sees a record in its own system (every connector).
docs/architecture.md lists every method.
"""

from causeway.model.ports.channel import (
    CancellationChannel,
    CatalogChannel,
    Channel,
    DeferredStock,
    FulfillmentChannel,
    OrderChannel,
    PaymentChannel,
    RefundChannel,
    StockChannel,
)
from causeway.model.ports.crm import Crm, CrmContacts, CrmDeals, CrmTickets
from causeway.model.ports.erp import (
    Erp,
    ErpAmendments,
    ErpCancellations,
    ErpCatalog,
    ErpCustomers,
    ErpInvoices,
    ErpOrders,
    ErpReturns,
    ErpSaleFigures,
    ErpSaleReading,
    ErpShipments,
    ErpStock,
)
from causeway.model.ports.files import FileChannel
from causeway.model.ports.locks import Locks
from causeway.model.ports.records import RecordAddresses

__all__ = [
    "CancellationChannel",
    "CatalogChannel",
    "Channel",
    "Crm",
    "CrmContacts",
    "CrmDeals",
    "CrmTickets",
    "DeferredStock",
    "Erp",
    "ErpAmendments",
    "ErpCancellations",
    "ErpCatalog",
    "ErpCustomers",
    "ErpInvoices",
    "ErpOrders",
    "ErpReturns",
    "ErpSaleFigures",
    "ErpSaleReading",
    "ErpShipments",
    "ErpStock",
    "FileChannel",
    "FulfillmentChannel",
    "Locks",
    "OrderChannel",
    "PaymentChannel",
    "RecordAddresses",
    "RefundChannel",
    "StockChannel",
]
