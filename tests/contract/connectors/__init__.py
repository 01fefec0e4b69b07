"""The connector contract suite: what every ERP and channel connector must prove, as scenarios.

Exactly-once, stale updates and absolute stock are not habits of one connector but a
contract each connector passes (docs/connectors/writing-a-connector.md):

    erp_contract.py        ErpContract: one order, one ERP sale, through crashes, lost
                           answers and two deliveries at once
    channel_contract.py    ChannelContract: absolute stock with compare-and-set, order
                           versions that order themselves, a change list a cursor can follow;
                           what a channel lacks declared and documented
    wire.py                the network faults: an answer lost after the write, a race forced
    local_http.py          the small local HTTP server the wire and the webhook endpoint run on
    deliveries.py          a webhook endpoint feeding the connector's own receiver
    sandbox_channel.py     what a channel subject over a project sandbox has in common

    tryton_erp.py          + test_tryton_contract.py     Tryton, the real 8.2 (marker: tryton)
    shopify_channel.py     + test_shopify_contract.py    Shopify, against its sandbox
    woocommerce_channel.py + test_woocommerce_contract.py
                           WooCommerce, against its sandbox
    amazon_channel.py      + test_amazon_contract.py
                           Amazon, against its sandbox (no catalogue, no compare-and-set)
    test_erp_contract_catches.py, test_channel_contract_catches.py (and the end of
    test_woocommerce_contract.py)
                           each property failing against a deliberately broken variant
"""
