"""One package per application Causeway talks to. Connectors never call each other."""
