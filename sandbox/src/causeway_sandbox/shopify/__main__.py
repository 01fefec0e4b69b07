"""`python -m causeway_sandbox.shopify --port 8081 --secret S --token T [--seed N]`.

Serves one sandbox shop on 127.0.0.1 until interrupted. Secrets may also come
from SHOPIFY_SANDBOX_SECRET / SHOPIFY_SANDBOX_TOKEN so they stay out of `ps`.
"""

from __future__ import annotations

import argparse
import os

import uvicorn

from causeway_sandbox.shopify.app import create_app
from causeway_sandbox.shopify.settings import FaultSettings, SandboxSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m causeway_sandbox.shopify",
        description="Run the Shopify sandbox on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--secret",
        default=os.environ.get("SHOPIFY_SANDBOX_SECRET"),
        help="API secret that signs webhooks",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("SHOPIFY_SANDBOX_TOKEN"),
        help="X-Shopify-Access-Token the API accepts",
    )
    parser.add_argument("--shop-domain", default="causeway-sandbox.myshopify.com")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--error-rate-5xx", type=float, default=0.0)
    parser.add_argument("--rate-429", type=float, default=0.0)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--duplicate-rate", type=float, default=0.0)
    parser.add_argument("--webhook-timeout-rate", type=float, default=0.0)
    parser.add_argument("--out-of-order", action="store_true")
    args = parser.parse_args(argv)

    values: dict[str, object] = {"shop_domain": args.shop_domain, "seed": args.seed}
    if args.secret:
        values["api_secret"] = args.secret
    if args.token:
        values["access_token"] = args.token
    values["faults"] = FaultSettings(
        error_rate_5xx=args.error_rate_5xx,
        rate_429=args.rate_429,
        latency_ms=args.latency_ms,
        duplicate_rate=args.duplicate_rate,
        webhook_timeout_rate=args.webhook_timeout_rate,
        out_of_order=args.out_of_order,
    )
    settings = SandboxSettings.model_validate(values)
    print(
        f"Shopify sandbox: http://127.0.0.1:{args.port}/admin/api/"
        f"{settings.api_version}/graphql.json (control API under /_sandbox/)"
    )
    uvicorn.run(create_app(settings), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
