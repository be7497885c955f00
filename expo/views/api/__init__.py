"""The expo JSON API, one module per area."""
