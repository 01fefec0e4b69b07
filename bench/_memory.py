"""A process's memory as Linux reports it in /proc/<pid>/status (stdlib only, so that a
process measuring itself loads nothing more for it)."""

from __future__ import annotations

from pathlib import Path


def status_kb(field: str, pid: int | str = "self") -> int:
    """One kB field of /proc/<pid>/status: VmRSS (resident now), VmHWM (its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status: this benchmark needs Linux")
