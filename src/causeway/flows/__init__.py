"""One module per business flow. Flows decide; connectors do the I/O."""
