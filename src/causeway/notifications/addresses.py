"""E-mail addresses as the hub accepts them from people and bounce feeds: one mailbox,
`local@domain.tld`, no display name, no spaces, at most 254 characters. Deliberately
plain: the SMTP server is the judge of deliverability; this refuses only what cannot be
an address, and says why."""

from __future__ import annotations

import re

MAX_LENGTH = 254  # RFC 5321's limit on a forward path
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$")


def problem_with(address: str) -> str | None:
    """Why `address` is not an e-mail address, or None when it is one."""
    if not address:
        return "empty"
    if len(address) > MAX_LENGTH:
        return f"longer than {MAX_LENGTH} characters"
    if address.count("@") != 1:
        return "needs exactly one @"
    local, domain = address.split("@")
    if not _LOCAL.match(local) or local.startswith(".") or ".." in local:
        return "the part before @ has characters an address cannot have"
    if not _DOMAIN.match(domain):
        return "the part after @ is not a domain name (like example.com)"
    return None


def normalised(address: str) -> str:
    return address.strip().lower()
