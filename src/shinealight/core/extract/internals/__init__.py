"""The extractor's machinery; use the package's public functions instead."""
