"""Small drawing helpers shared by the event families."""

from __future__ import annotations

import math
import random

from shinealight.core.simulate.internals.world import Person


def poisson(rng: random.Random, lam: float) -> int:
    """Draw from a Poisson distribution (normal approximation for large means)."""
    if lam <= 0:
        return 0
    if lam < 30:
        limit = math.exp(-lam)
        k = 0
        p = rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


def pronouns(person: Person) -> tuple[str, str, str]:
    """Return (subject, object, possessive) pronouns for the person's true gender."""
    return ("she", "her", "her") if person.gender == "female" else ("he", "him", "his")
