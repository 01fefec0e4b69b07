"""stock-snapshots: once a day, the ERP's stock per SKU and warehouse and what each store
showed (docs/flows/stock-snapshots.md). The flow is in flow.py."""

from causeway.flows.stock_snapshots.flow import NAME, SnapshotChannel, SnapshotRun, StockSnapshots

__all__ = ["NAME", "SnapshotChannel", "SnapshotRun", "StockSnapshots"]
