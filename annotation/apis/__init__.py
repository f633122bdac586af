"""REST API of `annotation`: thin views, one module per concept, each with its own input and output serializers."""
