"""NHS numbers: ten digits whose last digit is a modulus-11 check digit."""

import re

from nhs_number.validate import calculate_checksum

_SEPARATORS = re.compile(r"[\s\-]+")
# ASCII digits only: str.isdigit() would also accept digits from other scripts.
_TEN_DIGITS = re.compile(r"[0-9]{10}")


def normalise_nhs_number(text: str) -> tuple[str, bool]:
    """Return the number with spaces and hyphens removed and whether its check digit is right.

    The first item is the ten-digit string, or the stripped input when it is not ten
    digits (so the caller can still show what was written). A failed check usually
    means a mistyped digit, so such a number must not be used to link people.
    """
    stripped = _SEPARATORS.sub("", text or "")
    if not _TEN_DIGITS.fullmatch(stripped):
        return stripped, False
    # nhs_number.is_valid() also rejects numbers in the Scottish CHI range whose first
    # six digits are not a date of birth, and only accepts 3-3-4 groupings; here we want
    # the modulus-11 check alone. calculate_checksum() returns 10 for numbers that can
    # never be issued, which never equals a digit.
    return stripped, calculate_checksum(stripped[:9]) == int(stripped[9])
