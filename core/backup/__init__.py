"""Backup and restore of a whole deployment: the database dump and the stored files, with a manifest of hashes.

Domain-free: it backs up every table (pg_dump) and every file under the storage and datasets folders, whatever
the apps put there. docs/operations.md, "Backup and restore", is the operator's page.
"""
