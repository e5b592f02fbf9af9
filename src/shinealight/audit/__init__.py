"""The append-only, hash-chained audit trail of every create, update and read."""
