"""Data models of `annotation`."""
