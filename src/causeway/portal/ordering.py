"""What a portal buyer may put in a cart, decided without any I/O (docs/portal/catalogue.md).

- A quantity is a plain number greater than zero ("12", "2.5"; not "1e3", not "=1+1"),
  whole unless the product is sold in fractions (its multiple has decimals).
- The ERP's quantity rules (Tryton's sale_product_quantity): at least the product's
  minimum, and a multiple of its multiple. The same rules Tryton checks when the sale is
  made: a cart that passes here does not fail there.
- Quick order: rows typed as SKU and quantity, or a pasted CSV "sku,quantity" (comma,
  semicolon or tab; a header line is skipped). Each line is read on its own: a bad line
  is named with its number and its reason and never stops the good ones. The same SKU
  on several lines is one cart line with their quantities added up (the rules apply to
  that sum). The input is untrusted: its size is limited, and what is echoed back is
  escaped by the templates; nothing of it is ever evaluated.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from causeway.model.ports.portal import PortalProduct

MAX_QUANTITY = Decimal(1_000_000)
MAX_LINES = 1_000  # lines one quick order takes; split a longer paste
MAX_CHARS = 200_000  # characters of a paste (about 1,000 lines of a wide CSV)
MAX_SKU = 64
_NUMBER = re.compile(r"^\d{1,9}(?:[.,]\d{1,4})?$")
_HEADER_WORDS = {"sku", "code", "item", "product", "reference", "article"}


def parse_quantity(text: str) -> Decimal | str:
    """The quantity written, or why it is not one."""
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if not value:
        return "no quantity"
    if not _NUMBER.match(value):
        return f"{_shown(text)!r} is not a number"
    quantity = Decimal(value.replace(",", "."))
    if quantity <= 0:
        return "the quantity must be more than 0"
    if quantity > MAX_QUANTITY:
        return f"more than {MAX_QUANTITY:,} at once: call us for this order"
    return quantity


def _plain(value: Decimal) -> str:
    """2.0000 -> "2", 2.50 -> "2.5"."""
    text = f"{value.normalize():f}"
    return text


def quantity_problem(product: PortalProduct, quantity: Decimal) -> str | None:
    """Why this quantity of the product cannot be ordered, or None."""
    multiple = product.quantity_multiple
    fractions = multiple is not None and multiple != multiple.to_integral_value()
    if quantity != quantity.to_integral_value() and not fractions:
        return f"{product.sku} is sold in whole {product.unit.lower()}s, not {_plain(quantity)}"
    if product.minimal_quantity is not None and quantity < product.minimal_quantity:
        return f"the minimum for {product.sku} is {_plain(product.minimal_quantity)}"
    if multiple is not None and quantity % multiple != 0:
        lower = quantity - quantity % multiple
        higher = lower + multiple
        options = f"{_plain(lower)} or {_plain(higher)}" if lower > 0 else _plain(higher)
        return (
            f"{product.sku} is sold in multiples of {_plain(multiple)}: "
            f"{_plain(quantity)} is not one (order {options})"
        )
    return None


def nearest_allowed(product: PortalProduct, quantity: Decimal) -> Decimal:
    """The least quantity at or above `quantity` the rules allow (the form's default)."""
    result = max(quantity, product.minimal_quantity or Decimal(0), Decimal(1))
    multiple = product.quantity_multiple
    if multiple and result % multiple:
        result += multiple - result % multiple
    return result


def find_product(products: Mapping[str, PortalProduct], sku: str) -> PortalProduct | None:
    """The product of this SKU; written in another case, the one product it can be."""
    found = products.get(sku)
    if found is not None:
        return found
    folded = [p for key, p in products.items() if key.casefold() == sku.casefold()]
    return folded[0] if len(folded) == 1 else None


# -- quick order ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TypedLine:
    """One line as the buyer typed it: its number (from 1) and its text."""

    number: int
    sku: str
    quantity: str
    raw: str | None = None  # the pasted line exactly as it was

    def text(self) -> str:
        if self.raw is not None:
            return self.raw
        return f"{self.sku},{self.quantity}" if self.quantity else self.sku


@dataclass(frozen=True)
class LineProblem:
    lines: tuple[TypedLine, ...]  # the line(s) it is about, as typed
    reason: str

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(line.number for line in self.lines)

    @property
    def typed(self) -> tuple[str, ...]:
        return tuple(line.text() for line in self.lines)

    def where(self) -> str:
        if len(self.numbers) == 1:
            return f"line {self.numbers[0]}"
        return "lines " + ", ".join(map(str, self.numbers[:-1])) + f" and {self.numbers[-1]}"


@dataclass
class QuickOrder:
    """The quick order read: what goes to the cart (SKU -> quantity, in the order typed)
    and every bad line with its reason. `refused`: the whole input was refused (too long,
    or nothing in it), nothing is added."""

    good: dict[str, Decimal] = field(default_factory=dict)
    problems: list[LineProblem] = field(default_factory=list)
    refused: str | None = None

    def bad_lines(self) -> list[str]:
        """What was typed on the bad lines, in their order: the form gives them back."""
        return [line.text() for line in self._bad()]

    def bad_rows(self) -> list[tuple[str, str]]:
        """The bad lines' SKU and quantity as typed, for the form's rows."""
        return [(line.sku, line.quantity) for line in self._bad()]

    def _bad(self) -> list[TypedLine]:
        return sorted((line for p in self.problems for line in p.lines), key=lambda t: t.number)


def _shown(text: str, limit: int = 40) -> str:
    """Typed text as a message may quote it: printable, and not too long."""
    printable = "".join(c if c.isprintable() else "\ufffd" for c in text.strip())
    return printable if len(printable) <= limit else printable[: limit - 1] + "\u2026"


def split_paste(text: str) -> list[TypedLine] | str:
    """A pasted CSV "sku,quantity" per line as typed lines (blank lines skipped, numbers
    kept), or why the whole paste is refused."""
    if len(text) > MAX_CHARS:
        return (
            f"the paste is {len(text):,} characters long; at most {MAX_CHARS:,} at once: "
            f"split it into several quick orders"
        )
    rows = text.removeprefix("\ufeff").splitlines()  # a spreadsheet's byte-order mark
    if len(rows) > MAX_LINES:
        return (
            f"the paste has {len(rows):,} lines; at most {MAX_LINES:,} at once: "
            f"split it into several quick orders"
        )
    lines: list[TypedLine] = []
    for number, row in enumerate(rows, start=1):
        if not row.strip():
            continue
        cells = _cells(row)
        sku = cells[0].strip() if cells else ""
        quantity = cells[1].strip() if len(cells) > 1 else ""
        if not lines and sku.casefold() in _HEADER_WORDS and not _NUMBER.match(quantity):
            continue  # a header line: "sku,quantity"
        extra = [c for c in cells[2:] if c.strip()]
        if extra:
            quantity = ",".join([quantity, *extra])  # "WID-001,1,000": no thousands here
        lines.append(TypedLine(number, sku, quantity, raw=row))
    return lines


def _cells(row: str) -> list[str]:
    delimiter = "\t" if "\t" in row else ";" if ";" in row and "," not in row else ","
    try:
        return next(csv.reader([row], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return row.split(delimiter)


def typed_rows(skus: Sequence[str], quantities: Sequence[str]) -> list[TypedLine] | str:
    """The form's rows (SKU and quantity fields) as typed lines, empty rows skipped; or
    why they are refused."""
    if max(len(skus), len(quantities)) > MAX_LINES:
        return f"at most {MAX_LINES:,} rows at once: split the order"
    lines = []
    for number in range(1, max(len(skus), len(quantities)) + 1):
        sku = skus[number - 1] if number <= len(skus) else ""
        quantity = quantities[number - 1] if number <= len(quantities) else ""
        if sku.strip() or quantity.strip():
            lines.append(TypedLine(number, sku.strip(), quantity.strip()))
    return lines


def read_quick_order(
    lines: Iterable[TypedLine], products: Mapping[str, PortalProduct]
) -> QuickOrder:
    """Each line checked on its own; the good ones merged per SKU and checked again
    against the product's rules as a sum."""
    order = QuickOrder()
    merged: dict[str, list[tuple[TypedLine, Decimal]]] = {}
    for line in lines:
        problem = _line_problem(line, products)
        if isinstance(problem, str):
            order.problems.append(LineProblem((line,), problem))
            continue
        product, quantity = problem
        merged.setdefault(product.sku, []).append((line, quantity))
    for sku, found in merged.items():
        total = sum((quantity for _, quantity in found), Decimal(0))
        reason = quantity_problem(products[sku], total)
        if reason is None:
            order.good[sku] = total
            continue
        if len(found) > 1:
            reason = f"{sku} adds up to {_plain(total)} on these lines: {reason}"
        # Every line of the sum comes back, so the buyer can fix it.
        order.problems.append(LineProblem(tuple(line for line, _ in found), reason))
    if not order.good and not order.problems:
        order.refused = "nothing to add: type a SKU and a quantity on each line"
    return order


def _line_problem(
    line: TypedLine, products: Mapping[str, PortalProduct]
) -> str | tuple[PortalProduct, Decimal]:
    if not line.sku:
        return "no SKU"
    if len(line.sku) > MAX_SKU or not line.sku.isprintable():
        return f"{_shown(line.sku)!r} is not a SKU"
    product = find_product(products, line.sku)
    if product is None:
        return f"unknown SKU {_shown(line.sku)!r}"
    quantity = parse_quantity(line.quantity)
    if isinstance(quantity, str):
        return quantity
    return product, quantity  # its rules are checked on the sum of its lines
