"""A store's taxes to the ERP's: the orders-to-erp flow's tax_map, and its config errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from causeway.config import parse_config
from causeway.connectors.tryton.taxes import TrytonTax, match_tax
from causeway.errors import ConfigError
from causeway.model import TaxLine
from causeway.model.tax_map import TaxMap, parse_rate

D = Decimal
EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "causeway" / "config" / "example.yaml"
ENV = {"SHOPIFY_ACCESS_TOKEN": "shpat_x", "SHOPIFY_WEBHOOK_SECRET": "s", "TRYTON_PASSWORD": "p"}
KENTUCKY = TaxMap.parse(
    {
        "State Tax": "KY State 6%",
        "County Tax @ 0.5%": "Jefferson County",
        "@ 20%": "VAT 20% (EU)",
        "Sales tax @ 0.06": "Other 6%",
    }
)


@pytest.mark.parametrize(
    ("title", "rate", "erp_tax"),
    [
        ("State Tax", "0.06", "KY State 6%"),
        ("  state   TAX ", "0.07", "KY State 6%"),  # any rate, case and spaces forgiven
        ("County Tax", "0.005", "Jefferson County"),
        ("County Tax", "0.01", None),  # that title only at that rate
        ("TVA", "0.2", "VAT 20% (EU)"),
        ("Sales tax", "0.060", "Other 6%"),
        ("GST", "0.05", None),
    ],
)
def test_the_most_specific_entry_names_the_erp_tax(title: str, rate: str, erp_tax: str) -> None:
    assert KENTUCKY.erp_tax(title, D(rate)) == erp_tax


def test_title_and_rate_win_over_title_which_wins_over_rate() -> None:
    taxes = TaxMap.parse({"VAT @ 20%": "both", "VAT": "title", "@ 20%": "rate"})
    assert taxes.erp_tax("VAT", D("0.2")) == "both"
    assert taxes.erp_tax("VAT", D("0.1")) == "title"
    assert taxes.erp_tax("IVA", D("0.2")) == "rate"
    assert not TaxMap.parse({}) and taxes


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"@ six": "X"}, "entry '@ six': 'six' is not a tax rate: write it as 6% or 0.06"),
        ({"@ 1.5": "X"}, "'1.5' is not a tax rate"),
        ({"@ -6%": "X"}, "'-6%' is not a tax rate"),
        ({" @ ": "X"}, "entry ' @ ': write the store's tax title, 'title @ rate' or '@ rate'"),
        ({"VAT": "  "}, "entry 'VAT': name the ERP tax it maps to"),
        ({"VAT": "A", "vat ": "B"}, "entry 'vat ': the same store tax is already mapped to 'A'"),
    ],
)
def test_a_bad_entry_names_itself_and_the_fix(entries: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        TaxMap.parse(entries)
    assert message in str(caught.value)


def test_rates_are_written_as_percent_or_fraction() -> None:
    assert parse_rate("6%") == parse_rate("0.06") == parse_rate(" 6 % ") == D("0.06")
    assert parse_rate("0.5%") == D("0.005")


def config_with(tax_map: object) -> dict:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["flows"]["orders-to-erp"]["channels"][0]["tax_map"] = tax_map
    return data


def test_the_flow_setting_is_parsed_and_its_errors_name_the_key() -> None:
    config = parse_config(config_with({"State Tax": "State Tax 6%"}), env=ENV)
    orders = config.flows.orders_to_erp
    assert orders is not None
    assert orders.channels[0].taxes().erp_tax("State Tax", D("0.06")) == "State Tax 6%"
    with pytest.raises(ConfigError) as caught:
        parse_config(config_with({"@ six": "VAT 10%"}), env=ENV)
    assert (
        "flows.orders-to-erp.channels.0.tax_map: entry '@ six': 'six' is not a tax rate: "
        "write it as 6% or 0.06"
    ) in str(caught.value)


def test_the_map_overrides_the_rate_match_and_without_it_rates_match() -> None:
    taxes = [
        TrytonTax(1, "VAT 10%", D("0.10")),
        TrytonTax(2, "KY State 6%", D("0.06")),
        TrytonTax(3, "State Tax 6%", D("0.06")),
    ]
    line = TaxLine(title="State Tax", rate=D("0.06"), amount=D(0))
    assert match_tax(line, taxes).id == 3  # by rate, the title in its name wins
    assert match_tax(line, taxes, tax_map=KENTUCKY).id == 2
