"""Services of `annotation`: the only code that writes annotation data. One module per concept."""
