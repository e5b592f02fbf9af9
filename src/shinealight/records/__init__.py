"""Agencies and the records they send: the Events of POLE and what each mentions."""
