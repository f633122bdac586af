"""REST APIs of `reports_nlp`: thin views, one module per concept. Report text is for curators and admins only."""
