"""Reports, keyword mappings, the spaCy pipeline, mining runs and candidate scores."""
