"""Renderers: each takes a Result and shows it (JSON, terminal, Excel)."""
