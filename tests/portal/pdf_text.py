"""The text of a PDF the hub made with fpdf2's standard fonts, for tests to read back
(pypdf is not a dependency): every content stream inflated, every string shown with
Tj or TJ, in order. Enough for Helvetica text; not a general PDF reader."""

from __future__ import annotations

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_SHOWN = re.compile(rb"\((?:\\.|[^\\)])*\)\s*Tj|\[(?:[^\]])*\]\s*TJ", re.S)
_STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(raw: bytes) -> str:
    out = re.sub(rb"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw)
    return out.decode("latin-1")


def pdf_text(pdf: bytes) -> list[str]:
    """Each text run shown on the pages, in the order drawn."""
    runs: list[str] = []
    for match in _STREAM.finditer(pdf):
        data = match.group(1)
        try:
            data = zlib.decompress(data)
        except zlib.error:
            pass  # an uncompressed stream
        for shown in _SHOWN.finditer(data):
            runs.append("".join(_unescape(s) for s in _STRING.findall(shown.group(0))))
    return runs


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
