"""Data models of `datasets`."""
