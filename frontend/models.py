"""`frontend` has no models: it only composes the apps."""
