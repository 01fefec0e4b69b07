"""`python -m causeway_sandbox.amazon --port 8084 [--seed N] [--rate-429 R]`.

Serves one sandbox seller on 127.0.0.1 until interrupted.
"""

from __future__ import annotations

import argparse

import uvicorn

from causeway_sandbox.amazon.app import create_app
from causeway_sandbox.amazon.settings import AmazonFaultSettings, AmazonSandboxSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m causeway_sandbox.amazon",
        description="Run the Amazon Selling Partner API sandbox on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8084)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--error-rate-5xx", type=float, default=0.0)
    parser.add_argument("--rate-429", type=float, default=0.0)
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args(argv)
    settings = AmazonSandboxSettings(
        seed=args.seed,
        faults=AmazonFaultSettings(
            error_rate_5xx=args.error_rate_5xx, rate_429=args.rate_429, latency_ms=args.latency_ms
        ),
    )
    print(
        f"Amazon sandbox: endpoint http://127.0.0.1:{args.port}, token URL "
        f"http://127.0.0.1:{args.port}/auth/o2/token (client id {settings.client_id}; "
        f"control API under /_sandbox/)"
    )
    uvicorn.run(create_app(settings), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
