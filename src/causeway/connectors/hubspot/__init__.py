"""HubSpot CRM v3: contacts, deals with line items, tickets, custom properties, webhooks."""
