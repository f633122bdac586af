"""Platform plumbing every app uses: roles, auth, API errors and schema, immutability, bulk writes. No domain."""
