"""One module per console page: each adds its routes with `add_routes(app, hub)`."""
