"""`python -m causeway_sandbox.hubspot --port 8082 [--token T] [--secret S] [--seed N]`.

Serves one sandbox HubSpot portal on 127.0.0.1 until interrupted. The token and
client secret may also come from HUBSPOT_SANDBOX_TOKEN / HUBSPOT_SANDBOX_SECRET.
"""

from __future__ import annotations

import argparse
import os

import uvicorn

from causeway_sandbox.hubspot.app import create_app
from causeway_sandbox.hubspot.settings import HubSpotSandboxSettings
from causeway_sandbox.shopify.settings import FaultSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m causeway_sandbox.hubspot")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--token", default=os.environ.get("HUBSPOT_SANDBOX_TOKEN"))
    parser.add_argument("--secret", default=os.environ.get("HUBSPOT_SANDBOX_SECRET"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rate-max", type=int, default=100, help="requests per 10 s")
    parser.add_argument("--error-rate-5xx", type=float, default=0.0)
    parser.add_argument("--rate-429", type=float, default=0.0)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--duplicate-rate", type=float, default=0.0)
    parser.add_argument("--out-of-order", action="store_true")
    args = parser.parse_args(argv)
    values: dict[str, object] = {"seed": args.seed, "rate_max": args.rate_max}
    if args.token:
        values["access_token"] = args.token
    if args.secret:
        values["client_secret"] = args.secret
    values["faults"] = FaultSettings(
        error_rate_5xx=args.error_rate_5xx,
        rate_429=args.rate_429,
        latency_ms=args.latency_ms,
        duplicate_rate=args.duplicate_rate,
        out_of_order=args.out_of_order,
    )
    settings = HubSpotSandboxSettings.model_validate(values)
    print(f"HubSpot sandbox: http://127.0.0.1:{args.port}/crm/v3/ (control API under /_sandbox/)")
    uvicorn.run(create_app(settings), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
