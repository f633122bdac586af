"""Liveness and readiness probes for load balancers, compose and Kubernetes (docs/operations.md, "Health")."""
