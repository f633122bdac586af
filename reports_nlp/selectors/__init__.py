"""Selectors of `reports_nlp`: read queries. One module per concept."""
