"""The soak: thousands of store orders through faults, ERP restarts and hub SIGKILLs,
reconciled at the end to zero duplicates, zero lost and zero stock mismatches.

plan.py (sizes, faults, the seeded chaos timetable), world.py (Tryton, the sandbox, the
hub process), shopper.py and chaos.py (the two threads), run.py (drain, final stock
publication), readers.py and reconcile.py (what each system holds, what must be zero),
report.py. docs/soak.md tells how to run and read it.
"""
