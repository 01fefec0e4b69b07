"""The Admin GraphQL documents of the catalogue (api_versions.API_VERSION).

Like queries.py, these are the exact documents the sandbox is tested with. A
product is read with the one variant Causeway manages (one SKU per product) and
that variant's inventory item weight, so a diff against the ERP needs no second read.
"""

_VARIANT = """
  id sku price compareAtPrice
  inventoryItem { id measurement { weight { unit value } } }
"""
_PRODUCT = "id handle title descriptionHtml status"

# $query is a search like "sku:WID-001 OR sku:GAD-001".
CATALOG_VARIANTS_BY_SKU = f"""
query CatalogVariantsBySku($first: Int!, $query: String!) {{
  productVariants(first: $first, query: $query) {{
    nodes {{ {_VARIANT} product {{ {_PRODUCT} }} }}
  }}
}}
"""

# $query is a search like "handle:wid-001 OR handle:gad-001": finds a product whose
# create landed but whose variant never got its SKU (a crash in between).
CATALOG_PRODUCTS_BY_HANDLE = f"""
query CatalogProductsByHandle($first: Int!, $query: String!) {{
  products(first: $first, query: $query) {{
    nodes {{ {_PRODUCT} variants(first: 1) {{ nodes {{ {_VARIANT} }} }} }}
  }}
}}
"""

PRODUCT_CREATE = f"""
mutation ProductCreate($product: ProductCreateInput!) {{
  productCreate(product: $product) {{
    product {{ {_PRODUCT} variants(first: 1) {{ nodes {{ {_VARIANT} }} }} }}
    userErrors {{ field message }}
  }}
}}
"""

PRODUCT_UPDATE = """
mutation ProductUpdate($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product { id status }
    userErrors { field message }
  }
}
"""

PRODUCT_VARIANTS_BULK_UPDATE = """
mutation ProductVariantsBulkUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id sku price compareAtPrice }
    userErrors { code field message }
  }
}
"""
