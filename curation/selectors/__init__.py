"""Selectors of `curation`: read queries. One module per concept."""
