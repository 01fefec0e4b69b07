"""The security headers of the pages people open in a browser: the B2B portal's (its
users are the merchant's customers, on the internet) and the console's (docs/portal/
security.md, "Headers").

- Content-Security-Policy: scripts, styles, images, fonts, requests and form targets
  from the hub itself only, never framed, no <base>, no plugins. The pages have no inline
  script, no inline style and no event attribute (tests/portal/test_page_headers.py reads
  every template for them), so an injected `<script>` or `onerror=` does not run even if
  a bug let one through the templates' escaping. `img-src data:` because Pico CSS draws
  its icons (select chevrons, checkboxes) as data: SVGs.
- X-Frame-Options DENY (and frame-ancestors 'none'): no site can frame a page to make a
  person click in it.
- Referrer-Policy same-origin: a link out of the portal does not tell the other site
  which order or invoice page it came from.
- X-Content-Type-Options nosniff: a download is what its Content-Type says, never
  sniffed into HTML.
- Cache-Control no-store on everything but the public static files: a company's prices,
  orders and invoices never stay in a shared cache or in the browser's history cache
  for the next person at a shared computer. A route may answer `private` instead (a
  product image every company sees alike).

A pure ASGI middleware (no BaseHTTPMiddleware): it only adds headers to the response's
start message, so a streamed PDF streams as before. A header a route set itself wins.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_COMMON_POLICY = (
    "default-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
)
# The portal: htmx needs no eval (base.html turns htmx's eval off, and its injected
# indicator <style>: the rules are in portal.css).
PORTAL_POLICY = "; ".join(("script-src 'self'", *_COMMON_POLICY))
# The console: its overview's live refresh uses an htmx trigger filter, which htmx
# evaluates as JavaScript; until that is a script file, the console allows eval (still
# no inline script and nothing from another site).
CONSOLE_POLICY = "; ".join(("script-src 'self' 'unsafe-eval'", *_COMMON_POLICY))


def page_headers(policy: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
    }


class PageHeaders:
    """Adds `headers[area]` to every response under that area (a path prefix such as
    /portal), and Cache-Control no-store to those outside its /static/ files."""

    def __init__(self, app: ASGIApp, *, areas: Mapping[str, Mapping[str, str]]) -> None:
        self.app = app
        self.areas = dict(areas)

    def _area(self, path: str) -> str | None:
        return next((a for a in self.areas if path == a or path.startswith(a + "/")), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (area := self._area(scope.get("path", ""))) is None:
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(area + "/static/")
        wanted = self.areas[area]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    if name not in headers:
                        headers[name] = value
                cache = headers.get("cache-control", "").lower()
                if not static and "no-store" not in cache and "private" not in cache:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
