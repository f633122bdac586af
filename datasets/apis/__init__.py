"""REST API views of `datasets`. One module per concept."""
