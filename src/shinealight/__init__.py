"""Shine a Light: a safeguarding partnership's agency records, joined into one picture."""
