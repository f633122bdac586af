"""REST API views of `curation`, one module per concept."""
