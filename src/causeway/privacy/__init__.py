"""Personal data in the hub: how long it is kept, erasing a person, exporting what
the hub holds on them, and the Shopify compliance webhooks (docs/privacy.md).

The store's side lives in the engine (engine/retention.py, engine/personal_data.py);
this package adds the drop folders and puts the parts together for the CLI, the
running hub and the privacy-requests flow.
"""
