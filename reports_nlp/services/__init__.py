"""Services of `reports_nlp`: the only code that writes its data. One module per concept."""
