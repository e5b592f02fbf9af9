"""Explained multi-agency alerts: what the joined-up records say, and which records say it."""
