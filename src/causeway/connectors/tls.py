"""Every connector's HTTP client, made one way, with one TLS context for the process.

httpx builds a new context for each client it makes, and building one reads the whole CA
bundle (tens of milliseconds, most of it in the kernel): a hub that opens a client per
connector, per worker and per console refresh paid that every time. The context is built
once, as httpx would build it (certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR when
set), and shared: Python's SSLContext is safe to use from several threads.
"""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def http_client(**options: Any) -> httpx.Client:
    """An HTTP client with the defaults every connector keeps:
    - the process's one TLS context (above);
    - nothing taken from the environment (`trust_env=False`: no HTTP(S)_PROXY, no .netrc
      credentials): a connector talks to the address its configuration names, and its
      credentials go nowhere else;
    - no redirect followed: a redirect would carry the credentials to another address.
    `options` are httpx.Client's own (base_url, timeout, headers, auth, transport...)."""
    return httpx.Client(verify=tls_context(), trust_env=False, follow_redirects=False, **options)
