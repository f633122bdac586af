"""Database plumbing shared by the apps' services."""
