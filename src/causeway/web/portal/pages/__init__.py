"""The portal's pages, one module each (web/portal/__init__.py lists them in PAGES)."""
