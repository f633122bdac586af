"""Campaigns, worklist, reads, consensus, adjudication, agreement and priorities."""
