"""Intelligence hidden in free text: mentions extracted from record summaries, and their review."""
