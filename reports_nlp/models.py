"""Data models of `reports_nlp`."""
