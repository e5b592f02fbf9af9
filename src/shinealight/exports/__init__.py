"""Exports for analysts: a network, an alert or a child's chronology, filtered and audited."""
