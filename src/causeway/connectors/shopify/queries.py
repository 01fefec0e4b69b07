"""The Admin GraphQL documents Causeway sends to Shopify (api_versions.API_VERSION).

They are module constants so that the connector and the sandbox are held to the
same contract: the sandbox's tests execute exactly these documents, and
tests/contract/test_shopify_admin_schema.py validates every document constant of
this package, and the variables the connector sends with it, against Shopify's own
published schema of that version.
"""

_MONEY = "shopMoney { amount currencyCode }"
_TAX_LINES = f"taxLines {{ title rate priceSet {{ {_MONEY} }} }}"
_ADDRESS = (
    "name firstName lastName company address1 address2 city zip "
    "province provinceCode country countryCodeV2 phone"
)

_ALLOCATIONS = f"discountAllocations {{ allocatedAmountSet {{ {_MONEY} }} }}"
# What a discount was meant to do (its code or title, value and target): shown on the ERP
# order and used to check the order adds up. What each took off is in the lines' and
# shipping lines' discountAllocations, so an order with more applications than this loses
# none of its amounts.
_DISCOUNT_APPLICATION = (
    "allocationMethod targetType "
    "value { ... on MoneyV2 { amount } ... on PricingPercentageValue { percentage } } "
    "... on DiscountCodeApplication { code } ... on ManualDiscountApplication { title } "
    "... on AutomaticDiscountApplication { title } ... on ScriptDiscountApplication { title }"
)
MAX_DISCOUNT_APPLICATIONS = 5

# Shopify refuses any single query whose requested cost exceeds 1000 points, and a
# connection costs `first` times its node. One order with 100 lines requests 978
# points, so orders are listed cheaply (id and updatedAt) and fetched one by one.
MAX_LINE_ITEMS = 100

ORDER_FIELDS = f"""
  id legacyResourceId name email phone createdAt updatedAt cancelledAt closedAt
  currencyCode taxesIncluded test note tags sourceName
  displayFinancialStatus displayFulfillmentStatus
  customerJourneySummary {{ firstVisit {{ landingPage referrerUrl source }} }}
  subtotalPriceSet {{ {_MONEY} }}
  totalPriceSet {{ {_MONEY} }}
  totalTaxSet {{ {_MONEY} }}
  totalDiscountsSet {{ {_MONEY} }}
  currentSubtotalPriceSet {{ {_MONEY} }}
  currentTotalPriceSet {{ {_MONEY} }}
  currentTotalTaxSet {{ {_MONEY} }}
  currentTotalDiscountsSet {{ {_MONEY} }}
  totalTipReceivedSet {{ {_MONEY} }}
  discountApplications(first: {MAX_DISCOUNT_APPLICATIONS}) {{ nodes {{ {_DISCOUNT_APPLICATION} }} }}
  customer {{
    id firstName lastName
    defaultEmailAddress {{ emailAddress }} defaultPhoneNumber {{ phoneNumber }}
  }}
  shippingAddress {{ {_ADDRESS} }}
  billingAddress {{ {_ADDRESS} }}
  {_TAX_LINES}
  lineItems(first: {MAX_LINE_ITEMS}) {{
    pageInfo {{ hasNextPage }}
    nodes {{
      id sku name title quantity currentQuantity isGiftCard
      originalUnitPriceSet {{ {_MONEY} }}
      {_ALLOCATIONS}
      {_TAX_LINES}
    }}
  }}
  shippingLines(first: 5) {{
    nodes {{ title code originalPriceSet {{ {_MONEY} }} {_ALLOCATIONS} {_TAX_LINES} }}
  }}
"""

# Orders changed since a watermark, oldest change first, so a cursor can follow.
# Only what the poller needs to decide whether to fetch: about 1 point per order.
ORDERS_CHANGED_SINCE = """
query OrdersChangedSince($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id legacyResourceId updatedAt }
  }
}
"""

ORDER_BY_ID = f"""
query OrderById($id: ID!) {{
  order(id: $id) {{ {ORDER_FIELDS} }}
}}
"""

# $query is a search like "sku:WID-001 OR sku:GAD-001".
VARIANTS_BY_SKU = """
query VariantsBySku($first: Int!, $query: String!) {
  productVariants(first: $first, query: $query) {
    nodes {
      id sku title price
      product { id title }
      inventoryItem { id tracked }
    }
  }
}
"""

LOCATIONS = """
query Locations($first: Int!) {
  locations(first: $first) {
    nodes { id name isActive }
  }
}
"""

INVENTORY_LEVELS = """
query InventoryLevels($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id sku
      inventoryLevel(locationId: $locationId) {
        quantities(names: ["available"]) { name quantity }
      }
    }
  }
}
"""

# At most 250 quantities per call (Shopify's documented limit). Since 2026-04 each
# quantity must carry `changeFromQuantity` (null opts out of the compare) and the
# mutation must carry an idempotency key: Shopify applies a retried call once.
INVENTORY_SET_QUANTITIES = """
mutation InventorySetQuantities(
  $input: InventorySetQuantitiesInput!, $idempotencyKey: String!
) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup {
      createdAt reason referenceDocumentUri
      changes { name delta quantityAfterChange item { id } location { id } }
    }
    userErrors { code field message }
  }
}
"""
MAX_QUANTITIES_PER_SET = 250

WEBHOOK_SUBSCRIPTION_CREATE = """
mutation WebhookSubscriptionCreate(
  $topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
"""

# What `causeway check` asks first: the shop answers, the token works, and the
# access scopes the merchant granted the app.
APP_ACCESS = """
query AppAccess {
  shop { name }
  currentAppInstallation { accessScopes { handle } }
}
"""

WEBHOOK_SUBSCRIPTIONS = """
query WebhookSubscriptions($first: Int!) {
  webhookSubscriptions(first: $first) {
    nodes { id topic uri }
  }
}
"""
