"""The vendor sample order as a webhook body (REST) and as ORDER_FIELDS returns it (GraphQL).

Trimmed to what the mapping reads; tests change what their case needs. The two
describe the same order, so both must map to the identical canonical Order.
"""

from __future__ import annotations

from typing import Any


def money(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


def address(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Bob Norman",
        "firstName": "Bob",
        "lastName": "Norman",
        "company": None,
        "address1": "Chestnut Street 92",
        "address2": "",
        "city": "Louisville",
        "zip": "40202",
        "province": "Kentucky",
        "provinceCode": "KY",
        "country": "United States",
        "countryCodeV2": "US",
        "phone": "555-625-1199",
        **extra,
    }


def rest_address(**extra: Any) -> dict[str, Any]:
    return {
        "address1": "Chestnut Street 92",
        "address2": "",
        "city": "Louisville",
        "company": None,
        "country": "United States",
        "first_name": "Bob",
        "last_name": "Norman",
        "phone": "555-625-1199",
        "province": "Kentucky",
        "zip": "40202",
        "name": "Bob Norman",
        "country_code": "US",
        "province_code": "KY",
        **extra,
    }


def rest_line(line_id: int, sku: str, colour: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": line_id,
        "price": "199.00",
        "quantity": 1,
        "sku": sku,
        "title": "IPod Nano - 8gb",
        "name": f"IPod Nano - 8gb - {colour}",
        "variant_title": colour,
        "tax_lines": [],
        **extra,
    }


def gql_line(line_id: int, sku: str, colour: str) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/LineItem/{line_id}",
        "sku": sku,
        "name": f"IPod Nano - 8gb - {colour}",
        "title": "IPod Nano - 8gb",
        "quantity": 1,
        "originalUnitPriceSet": money("199.0"),  # GraphQL's Money scalar: "199.0"
        "discountAllocations": [],
        "taxLines": [],
    }


def rest_order() -> dict[str, Any]:
    """The webhook body of the vendor sample order (trimmed to what matters here)."""
    return {
        "id": 450789469,
        "name": "#1001",
        "email": "Bob.Norman@Hostmail.com",
        "created_at": "2008-01-10T11:00:00-05:00",
        "updated_at": "2008-01-10T11:00:00-05:00",
        "currency": "USD",
        "financial_status": "authorized",
        "fulfillment_status": None,
        "taxes_included": False,
        "test": False,
        "note": None,
        "tags": "wholesale, vip",
        "subtotal_price": "398.00",
        "total_tax": "11.94",
        "total_discounts": "0.00",
        "total_price": "409.94",
        "source_name": "web",
        "landing_site": "http://www.example.com?source=abc",
        "referring_site": "http://www.otherexample.com",
        "landing_site_ref": "abc",
        "tax_lines": [{"price": "11.94", "rate": 0.06, "title": "State Tax"}],
        "line_items": [
            rest_line(466157049, "IPOD2008GREEN", "green"),
            rest_line(518995019, "IPOD2008RED", "red"),
            rest_line(703073504, "IPOD2008BLACK", "black"),
        ],
        "shipping_lines": [
            {"code": "Free Shipping", "price": "0.00", "title": "Free Shipping", "tax_lines": []}
        ],
        "billing_address": rest_address(),
        "shipping_address": rest_address(),
        "customer": {
            "id": 207119551,
            "email": "bob.norman@hostmail.com",
            "first_name": "Bob",
            "last_name": "Norman",
        },
    }


def graphql_order() -> dict[str, Any]:
    """The same order as ORDER_FIELDS returns it."""
    return {
        "id": "gid://shopify/Order/450789469",
        "legacyResourceId": "450789469",
        "name": "#1001",
        "email": "bob.norman@hostmail.com",
        "phone": None,
        "createdAt": "2008-01-10T16:00:00Z",
        "updatedAt": "2008-01-10T16:00:00Z",
        "cancelledAt": None,
        "closedAt": None,
        "currencyCode": "USD",
        "taxesIncluded": False,
        "test": False,
        "note": None,
        "tags": ["vip", "wholesale"],
        "sourceName": "web",
        "displayFinancialStatus": "AUTHORIZED",
        "displayFulfillmentStatus": "UNFULFILLED",
        "customerJourneySummary": {
            "firstVisit": {
                "landingPage": "http://www.example.com?source=abc",
                "referrerUrl": "http://www.otherexample.com",
                "source": "otherexample",
            }
        },
        "subtotalPriceSet": money("398.0"),
        "totalPriceSet": money("409.94"),
        "totalTaxSet": money("11.94"),
        "totalDiscountsSet": money("0.0"),
        "totalShippingPriceSet": money("0.0"),
        "customer": {
            "id": "gid://shopify/Customer/207119551",
            "firstName": "Bob",
            "lastName": "Norman",
            "defaultEmailAddress": {"emailAddress": "bob.norman@hostmail.com"},
            "defaultPhoneNumber": None,
        },
        "shippingAddress": address(),
        "billingAddress": address(),
        "taxLines": [{"title": "State Tax", "rate": 0.06, "priceSet": money("11.94")}],
        "lineItems": {
            "nodes": [
                gql_line(466157049, "IPOD2008GREEN", "green"),
                gql_line(518995019, "IPOD2008RED", "red"),
                gql_line(703073504, "IPOD2008BLACK", "black"),
            ]
        },
        "shippingLines": {
            "nodes": [
                {
                    "title": "Free Shipping",
                    "code": "Free Shipping",
                    "originalPriceSet": money("0.0"),
                    "taxLines": [],
                }
            ]
        },
    }
