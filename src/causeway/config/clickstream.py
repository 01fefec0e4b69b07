"""causeway.yaml `clickstream:`: storefront events collected at `POST /collect/{system}`
(docs/clickstream.md), one block per store system that sends them.

A top-level section keyed by system rather than a key inside each system: collecting is
the hub's own endpoint, not a setting of the vendor's API, and it reads the same for a
Shopify and a WooCommerce store. The collect key is a write-only public key: it sits in
the storefront's page, so it only says which hub endpoint a browser may write to; it is
still compared in constant time and never shown.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from causeway.config.base import Duration, Strict, is_loopback, required_secret

DAY = 86400.0
MIN_KEY_LENGTH = 16


def origin(value: str) -> str:
    """One allowed origin as browsers send it in the Origin header: scheme://host[:port],
    https unless the host is this machine; no path, no wildcard. "null" is what a
    sandboxed iframe sends (a pixel's sandbox may be one): allowed only when written."""
    text = value.strip().rstrip("/")
    if text == "null":
        return text
    parts = urlsplit(text)
    form = "write it as https://host[:port], e.g. https://shop.example.com"
    if text == "*":
        raise ValueError(f"'*' would let any site write events; list each storefront: {form}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an origin: {form}")
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"{value!r} has more than an origin (a path or user): {form}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(f"{value!r} uses http:// to another machine: use https://")
    return f"{parts.scheme}://{parts.netloc.lower()}"


class ClickstreamSettings(Strict):
    enabled: bool = Field(default=True, description="answer POST /collect/<system>")
    collect_key: SecretStr = Field(
        description="the write-only key the storefront snippet sends (X-Causeway-Collect-Key "
        "or ?key=); write it as an environment reference, e.g. ${CLICKSTREAM_KEY}",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="storefront origins (https://shop.example.com) whose browsers may call "
        "the endpoint (CORS); a request from another origin is refused",
    )
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, le=1_000_000, description="a larger request is 413"
    )
    events_per_minute: int = Field(
        default=120,
        ge=1,
        le=100_000,
        description="per client id: more is answered 429 with Retry-After, and not stored",
    )
    retention: Duration = Field(
        default=90 * DAY,
        description="events older than this (by when they happened) are pruned",
    )
    require_consent: bool = Field(
        default=False,
        description="store only events whose request says analyticsProcessingAllowed: true "
        "(default: store unless it says false)",
    )

    @field_validator("collect_key")
    @classmethod
    def _key_set(cls, value: SecretStr) -> SecretStr:
        required_secret(value, "a random key, e.g. ${CLICKSTREAM_KEY} (`openssl rand -hex 16`)")
        if len(value.get_secret_value().strip()) < MIN_KEY_LENGTH:
            raise ValueError(
                f"is shorter than {MIN_KEY_LENGTH} characters: use a random key, e.g. the "
                f"output of `openssl rand -hex 16`"
            )
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(origin(entry) for entry in value))

    @field_validator("retention")
    @classmethod
    def _at_least_a_day(cls, value: float) -> float:
        if value < DAY:
            raise ValueError("is shorter than a day: write e.g. 30d or 90d")
        return value

    def allows(self, request_origin: str | None) -> bool:
        """Whether a browser at this Origin may call the endpoint."""
        return request_origin is not None and request_origin.lower() in self.allowed_origins
