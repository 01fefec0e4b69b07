"""The files connector: CSV drop folders (docs/connectors/files.md)."""
