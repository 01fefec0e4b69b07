"""Seeing that the hub works: alerts for silent failure and Prometheus metrics."""
