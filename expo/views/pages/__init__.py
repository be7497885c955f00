"""The server-rendered expo pages, one module per area."""
