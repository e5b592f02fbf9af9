"""Recording errors and variations, each applied at its configured rate and counted."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from shinealight.core.simulate.config import NoiseRates

_KEYBOARD_NEIGHBOURS = {
    "a": "sq",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "q": "w",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "x": "zc",
    "y": "tu",
    "z": "x",
}


class Noise:
    """Applies recording noise from one random stream and counts every chance taken.

    `opportunities[kind]` counts the times a kind of error could have happened and
    `applied[kind]` the times it did, so the realised rate can be checked against the
    configured one.
    """

    def __init__(self, rates: NoiseRates, rng: random.Random) -> None:
        self.rates = rates
        self.rng = rng
        self.applied: Counter[str] = Counter()
        self.opportunities: Counter[str] = Counter()

    def chance(self, kind: str) -> bool:
        """Take one chance of error `kind` (a field of NoiseRates) and say if it happened."""
        self.opportunities[kind] += 1
        if self.rng.random() < getattr(self.rates, kind):
            self.applied[kind] += 1
            return True
        return False

    def typo(self, text: str) -> str:
        """Return `text` with one typing error in one of its longer words."""
        rng = self.rng
        words = text.split(" ")
        candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        if not candidates:
            return text
        i = rng.choice(candidates)
        word = words[i]
        pos = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(4)
        if kind == 0:
            word = word[:pos] + word[pos + 1 :]
        elif kind == 1:
            word = word[:pos] + word[pos] + word[pos:]
        elif kind == 2:
            word = word[: pos - 1] + word[pos] + word[pos - 1] + word[pos + 1 :]
        else:
            lower = word[pos].lower()
            replacement = rng.choice(_KEYBOARD_NEIGHBOURS.get(lower, "e"))
            word = word[:pos] + replacement + word[pos + 1 :]
        if word == words[i]:
            # Swapping two equal letters changes nothing; drop one instead.
            word = word[:pos] + word[pos + 1 :]
        words[i] = word
        return " ".join(words)

    def name(self, text: str) -> str:
        """Return a written name, with a typing error at the configured rate."""
        return self.typo(text) if self.chance("typo") else text

    def dob(self, dob: date) -> tuple[str | None, bool]:
        """Return the date of birth as written (None if left out) and whether it is whole."""
        if self.chance("dob_missing"):
            if self.rng.random() < 0.5:
                return str(dob.year), False
            return None, False
        if dob.day <= 12 and dob.day != dob.month and self.chance("dob_swap"):
            return f"{dob.year:04d}-{dob.day:02d}-{dob.month:02d}", True
        return dob.isoformat(), True

    def gender(self, gender: str) -> str:
        """Return the gender as recorded, wrong at the configured rate."""
        if self.chance("wrong_gender"):
            return "male" if gender == "female" else "female"
        return gender

    def phone(self, number: str) -> str:
        """Return a number from "07700 900123" written in the agency's own way."""
        if not self.chance("phone_format"):
            return number
        digits = number.replace(" ", "")
        style = self.rng.randrange(5)
        if style == 0:
            return digits
        if style == 1:
            return f"+44 {digits[1:5]} {digits[5:]}"
        if style == 2:
            return f"+44{digits[1:]}"
        if style == 3:
            return f"{digits[:5]}-{digits[5:]}"
        return f"({digits[:5]}) {digits[5:]}"

    def plate(self, text: str) -> str:
        """Return a full registration mark written in the agency's own way."""
        if not self.chance("plate_format"):
            return text
        compact = text.replace(" ", "")
        style = self.rng.randrange(4)
        if style == 0:
            return compact
        if style == 1:
            return text.lower()
        if style == 2:
            return text.replace(" ", "-")
        return compact[:2] + " " + compact[2:4] + " " + compact[4:]

    def partial_plate(self, text: str) -> tuple[str, str] | None:
        """At the configured rate, return a partly seen mark and how a note would say it.

        The first item is the mark with ``?`` for what was not seen ("KX55 ???"); the
        second is the practitioner's wording ("starting KX55").
        """
        if not self.chance("partial_plate"):
            return None
        outward, _, inward = text.partition(" ")
        if self.rng.random() < 0.6:
            return f"{outward} {'?' * len(inward)}", f"starting {outward}"
        return f"{'?' * len(outward)} {inward}", f"ending {inward}"
