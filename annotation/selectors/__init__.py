"""Selectors of `annotation`: read queries for the APIs, the pages and the `datasets` layer. One module per concept."""
