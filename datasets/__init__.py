"""Versioned dataset exports, imported model runs and active-learning scores."""
