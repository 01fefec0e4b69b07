"""Personal data (docs/privacy.md): `prune`, `erase`, `privacy export`."""

from __future__ import annotations

from pathlib import Path

from causeway.cli.common import ConfigOption, app, console, load_or_exit


@app.command()
def prune(config: ConfigOption = Path("causeway.yaml")) -> None:
    """Remove now what is older than its retention period (`retention:` in causeway.yaml;
    the running hub does it every `retention.every`)."""
    from causeway.engine.store import Store
    from causeway.privacy.retention import prune as prune_all

    settings = load_or_exit(config)
    store = Store(settings.store.url)
    try:
        report = prune_all(store, settings)
    finally:
        store.dispose()
    for place, count in report.removed.items():
        console.print(f"{place}: {count} removed")
    for place in report.kept_for_ever:
        console.print(f"{place}: kept (retention off)")
    if report.total:
        console.print(f"pruned {report.total} in all")
    else:
        console.print("nothing old enough to prune")
