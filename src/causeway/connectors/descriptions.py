"""The ERP's plain-text product description as the HTML a store shows, written the same
way for every store connector (Shopify's descriptionHtml, WooCommerce's description)."""

from __future__ import annotations

import html
import re


def description_html(text: str) -> str:
    """The ERP's plain-text description as HTML: paragraphs, line breaks, escaped."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line.strip()) for line in block.splitlines()) + "</p>"
        for block in blocks
    )
