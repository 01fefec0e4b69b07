"""`python -m causeway_sandbox.woocommerce --port 8082 [--key CK --secret CS] [--seed N]`.

Serves one sandbox store on 127.0.0.1 until interrupted. The key and secret may also
come from WOOCOMMERCE_SANDBOX_KEY / WOOCOMMERCE_SANDBOX_SECRET so they stay out of `ps`.
"""

from __future__ import annotations

import argparse
import os

import uvicorn

from causeway_sandbox.woocommerce.app import create_app
from causeway_sandbox.woocommerce.settings import WooFaultSettings, WooSandboxSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m causeway_sandbox.woocommerce",
        description="Run the WooCommerce sandbox on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--key", default=os.environ.get("WOOCOMMERCE_SANDBOX_KEY"))
    parser.add_argument("--secret", default=os.environ.get("WOOCOMMERCE_SANDBOX_SECRET"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--error-rate-5xx", type=float, default=0.0)
    parser.add_argument("--rate-429", type=float, default=0.0)
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args(argv)

    values: dict[str, object] = {
        "seed": args.seed,
        "site_url": f"http://127.0.0.1:{args.port}/",
        "faults": WooFaultSettings(
            error_rate_5xx=args.error_rate_5xx, rate_429=args.rate_429, latency_ms=args.latency_ms
        ),
    }
    if args.key:
        values["consumer_key"] = args.key
    if args.secret:
        values["consumer_secret"] = args.secret
    settings = WooSandboxSettings.model_validate(values)
    print(
        f"WooCommerce sandbox: http://127.0.0.1:{args.port}/wp-json/wc/v3/ "
        f"(consumer key {settings.consumer_key}; control API under /_sandbox/)"
    )
    uvicorn.run(create_app(settings), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
