"""Fictional identifiers: NHS numbers, UPNs, PNC ids, registration marks, phone numbers."""

from __future__ import annotations

import heapq
import random
import string
from dataclasses import dataclass

_PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"  # I and Q never appear in the random part.
_SUFFIX_LETTERS = "ABCDEFGHJKLMNPRSTVWXY"
_UPN_CHECK = "ABCDEFGHJKLMNPQRTUVWXYZ"


def nhs_number(rng: random.Random) -> str:
    """Return a ten-digit NHS number in the 999 test range with a valid check digit."""
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        total = sum(d * (10 - i) for i, d in enumerate(digits))
        check = 11 - total % 11
        if check == 11:
            check = 0
        # A remainder giving 10 is never issued, so such a stem is skipped.
        if check != 10:
            return "".join(str(d) for d in digits) + str(check)


def upn(rng: random.Random, la_code: int, school_number: int) -> str:
    """Return a unique pupil number shaped like the DfE's (check letter + 12 characters).

    The local-authority codes used (990 and above) are not issued, so these can never
    be a real pupil's number.
    """
    year = rng.randrange(0, 100)
    serial = rng.randrange(0, 1000)
    body = f"{la_code:03d}{school_number:04d}{year:02d}{serial:03d}"
    total = sum(int(ch) * (i + 2) for i, ch in enumerate(body))
    return _UPN_CHECK[total % 23] + body


def pnc_id(rng: random.Random, year: int) -> str:
    """Return a Police National Computer id shaped like "19/123456X" (fictional)."""
    serial = rng.randrange(100000, 1000000)
    return f"{year % 100:02d}/{serial}{_PLATE_LETTERS[serial % 23]}"


@dataclass(frozen=True)
class Plate:
    """A registration mark in its canonical written form ("KX55 ABC")."""

    text: str

    @property
    def normalised(self) -> str:
        """The mark with no spaces, as truth.json lists vehicles."""
        return self.text.replace(" ", "")


class PlateRegistry:
    """Issues registration marks, never the same one twice."""

    def __init__(self, rng: random.Random, regions: tuple[str, ...]) -> None:
        self._rng = rng
        self._regions = regions
        self._issued: set[str] = set()

    def issue(self, newest_year: int) -> Plate:
        """Return a new mark for a vehicle first registered no later than `newest_year`."""
        rng = self._rng
        while True:
            style = rng.random()
            if style < 0.82:
                year = rng.randint(max(2002, newest_year - 14), newest_year)
                age = year % 100 if rng.random() < 0.5 or year == 2001 else (year % 100) + 50
                text = (
                    rng.choice(self._regions)
                    + rng.choice(_PLATE_LETTERS)
                    + f"{age:02d} "
                    + "".join(rng.choice(_PLATE_LETTERS) for _ in range(3))
                )
            elif style < 0.97:
                # Prefix marks (1983-2001) are still on the road in older cars.
                text = (
                    rng.choice("RSTVWXY")
                    + str(rng.randint(1, 999))
                    + " "
                    + "".join(rng.choice(_PLATE_LETTERS) for _ in range(3))
                )
            else:
                text = (
                    "".join(rng.choice(_PLATE_LETTERS) for _ in range(3))
                    + " "
                    + str(rng.randint(1, 999))
                    + rng.choice(_SUFFIX_LETTERS)
                )
            if text not in self._issued:
                self._issued.add(text)
                return Plate(text)


class PhonePool:
    """Hands out numbers from Ofcom's drama range so that each belongs to one phone at a time.

    A number is free again once the phone that had it is given up; numbers are reused
    oldest-first. `None` means every number is in use, and the caller goes without.
    """

    def __init__(self, first: int, last: int) -> None:
        # (day number from which the line is free, line number)
        self._free: list[tuple[int, int]] = [(0, n) for n in range(first, last + 1)]
        heapq.heapify(self._free)

    def take(self, start_day: int, end_day: int) -> str | None:
        """Return a number held from `start_day` to `end_day` (day ordinals), or None."""
        if not self._free or self._free[0][0] > start_day:
            return None
        _, line = heapq.heappop(self._free)
        heapq.heappush(self._free, (end_day + 1, line))
        return f"07700 {line:06d}"


def canonical_postcode(outward: str, rng: random.Random) -> str:
    """Return a postcode in the given outward district with a random inward code."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # C, I, K, M, O and V are not used in inward codes.
    return f"{outward} {rng.randrange(10)}{rng.choice(letters)}{rng.choice(letters)}"


def handle(rng: random.Random, name: str) -> str:
    """Return an online handle derived from a name, as young people and groomers use."""
    base = "".join(ch for ch in name.lower() if ch in string.ascii_lowercase) or "user"
    style = rng.randrange(4)
    if style == 0:
        return f"{base}{rng.randint(1, 99)}"
    if style == 1:
        return f"{base}_{rng.choice(['x', 'xx', 'official', 'uk', 'baby', 'boi'])}"
    if style == 2:
        return f"the.real.{base}"
    return f"{base[:4]}{rng.randint(100, 999)}"
