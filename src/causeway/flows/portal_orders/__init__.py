"""portal-orders: an approved portal checkout becomes one confirmed ERP sale.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.portal_orders.flow import NAME, TOPICS, PortalOrders, checkout_job

__all__ = ["NAME", "TOPICS", "PortalOrders", "checkout_job"]
