"""One TLS context for every connector's HTTP client in a process.

httpx builds a new context for each client it makes, and building one reads the whole CA
bundle (tens of milliseconds, most of it in the kernel): a hub that opens a client per
connector, per worker and per console refresh paid that every time. The context is built
once, as httpx would build it (certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR when
set), and shared: Python's SSLContext is safe to use from several threads.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
