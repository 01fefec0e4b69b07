"""Where the vendors' own payloads are (vendor-samples/, see its SOURCES.md), for any test.

Absent samples skip the test locally and fail it under CI=true (tests/essential.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.essential import unavailable


def samples_dir(vendor: str) -> Path:
    configured = os.environ.get("CAUSEWAY_VENDOR_SAMPLES")
    root = (
        Path(configured)
        if configured
        else Path(__file__).resolve().parents[2] / "shared" / "vendor-samples"
    )
    return root / vendor


def require_samples(vendor: str) -> None:
    folder = samples_dir(vendor)
    if folder.is_dir() and any(folder.glob("*.json")):
        return
    unavailable(
        f"{vendor} vendor samples not found at {folder}: set CAUSEWAY_VENDOR_SAMPLES to the "
        f"vendor-samples directory"
    )


def load_sample(vendor: str, name: str) -> Any:
    require_samples(vendor)
    return json.loads((samples_dir(vendor) / name).read_text(encoding="utf-8"))
