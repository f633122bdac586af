"""Services of `curation`: the only code that writes curation data. One module per concept."""
