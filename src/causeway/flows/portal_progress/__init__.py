"""portal-progress: what the ERP did with a B2B portal order (shipped, invoiced, cancelled)
becomes the order's timeline milestones and its customer's e-mails.

The flow is in flow.py; its public names are importable from this package.
"""

from causeway.flows.portal_progress.flow import NAME, PortalProgress

__all__ = ["NAME", "PortalProgress"]
