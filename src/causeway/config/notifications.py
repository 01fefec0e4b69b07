"""causeway.yaml `notifications:`: order-status and account e-mails (docs/notifications.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from causeway.config.base import Duration, Strict


class SmtpSettings(Strict):
    host: str = Field(default="localhost", description="the SMTP server (your provider's relay)")
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls",
        description="starttls (port 587: plain connect, then STARTTLS), tls (port 465: TLS "
        "from the first byte), or none (a relay on this machine only)",
    )
    username: str | None = None
    # A SecretStr: never shown in a repr, and masked in every logged or served error.
    password: SecretStr | None = Field(default=None, description="write it as ${ENV_VAR}")
    timeout: Duration = Field(default=20.0, description="connect and each command, in seconds")
    ca_file: str | None = Field(
        default=None,
        description="a PEM file of the certificate authorities to trust instead of the "
        "system's (a relay with a private CA); the server's certificate is always verified",
    )


class NotificationsSettings(Strict):
    enabled: bool = Field(default=False, description="send order-status and account e-mails")
    smtp: SmtpSettings = SmtpSettings()
    sender: str = Field(
        default="orders@example.com",
        description="the From address; its domain should publish SPF, DKIM and DMARC",
    )
    sender_name: str | None = Field(default=None, description="the From name; default: merchant")
    reply_to: str | None = None
    merchant: str = Field(default="Our shop", description="the merchant's name in every e-mail")
    logo_url: str | None = Field(default=None, description="an https URL of the logo shown on top")
    language: str = Field(
        default="en",
        description="for customers whose language is unknown, or one the templates lack "
        "(built in: en, fr)",
    )
    templates: str | None = Field(
        default=None,
        description="a folder of your own templates (order/<language>/<event>.html and .txt); "
        "a file found there is used instead of the built-in one",
    )
    channels: dict[str, bool] = Field(
        default_factory=dict,
        description="per system: whether its orders get order-status e-mails; default on for "
        "the portal, drop folders and CRM quotes, off for stores that send their own (Shopify)",
    )
    max_attempts: int = Field(default=8, ge=1, description="tries before an e-mail is failed")
    retry_base: Duration = Field(default=30.0, description="first retry after; doubles each time")
    retry_cap: Duration = Field(default=3600.0, description="the longest wait between two tries")
    lease: Duration = Field(
        default=120.0,
        description="how long a sender holds the e-mails it claimed; another hub process "
        "takes them over only after that (a sender that died)",
    )
    poll_every: Duration = Field(
        default=2.0, description="how often the sender looks for due e-mails"
    )
