"""A wire-compatible HubSpot CRM v3 sandbox: contacts, deals, line items, tickets, webhooks."""
