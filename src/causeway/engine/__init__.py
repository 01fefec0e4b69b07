"""The durable core: store, links, inbox, jobs, cursors, rate budgets and the worker loop."""
