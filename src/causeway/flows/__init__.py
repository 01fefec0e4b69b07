"""One package per business flow. Flows decide; connectors do the I/O.

Each package holds one flow (its code in flow.py, its public names exported by the
package) and the helpers only it uses. base.py is the per-job loop every flow runs
on; events.py reads the inbox records a batch's jobs were made from.
"""
