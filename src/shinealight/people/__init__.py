"""Resolved entities: who is who across agencies (people, vehicles, phones, accounts, places)."""
