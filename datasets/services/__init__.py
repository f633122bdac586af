"""Services of `datasets`: the only code that writes dataset versions and their files. One module per concept."""
