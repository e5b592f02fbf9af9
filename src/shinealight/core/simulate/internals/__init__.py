"""The simulator's machinery; use shinealight.core.simulate's public functions instead."""
