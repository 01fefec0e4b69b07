"""HTTP: webhook ingress and the hub's REST API."""
