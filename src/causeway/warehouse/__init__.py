"""The warehouse: a DuckDB file and Parquet export, a star schema built from the hub's
store and the ERP (docs/warehouse.md), which the console's reports read (docs/reports.md)."""
