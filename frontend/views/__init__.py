"""Page views, one module per area; they call services and selectors only."""
