"""Writes and business rules of the expo app, one module per area (STYLE.md, section 2)."""
