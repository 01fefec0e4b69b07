"""Access control: who is calling (authenticators.py) and what each may do (permissions.py)."""
