"""Accountable multi-agency work: risk judgements, alert lifecycle, meetings, actions."""
