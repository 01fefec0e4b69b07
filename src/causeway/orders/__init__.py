"""The hub's record of each order, kept by every flow that touches an order.

record.py: the order's hub id, state and summary, and the links that prove where it is;
status.py: where each order a source sent stands, for channels that cannot be told.
An order's milestones are the engine's timeline (engine/timeline.py).
"""
