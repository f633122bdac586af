"""Selectors of `datasets`: read queries. One module per concept."""
