"""Machinery behind `shinealight.core.linkage`; import from the package, not from here."""
