"""Telephone numbers in E.164 form (``+447700900123``)."""

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberMatcher
from phonenumbers.phonenumberutil import ValidationResult

_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")


# Feeds repeat the same few numbers many times; parsing one costs tens of microseconds.
@lru_cache(maxsize=1 << 16)
def normalise_phone(text: str, region: str = "GB") -> str | None:
    """Return the number in E.164 form, or None when it cannot be a whole phone number.

    Numbers without a country code are read as numbers in ``region``. A number only
    has to be *possible* (the right length for its country), not allocated: Ofcom's
    drama range 07700 900xxx, used in examples and tests, is not "valid". A number
    written without its area code is rejected, since the area cannot be guessed.
    """
    if not text or not text.strip():
        return None
    if _LETTER.search(text):
        return _number_in_text(text, region)
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    return _e164_if_possible(number)


def _number_in_text(text: str, region: str) -> str | None:
    # phonenumbers.parse() reads letters as a keypad word, so "07700 9OO123" typed with
    # the letter O would become a different, real-looking number and link strangers.
    # Instead find the number in the text ("07700 900123 (mum)") and accept it only if
    # it is the one number there and every digit written belongs to it.
    matches = list(PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE))
    if len(matches) != 1:
        return None
    match = matches[0]
    if len(_DIGIT.findall(match.raw_string)) != len(_DIGIT.findall(text)):
        return None
    return _e164_if_possible(match.number)


def _e164_if_possible(number: phonenumbers.PhoneNumber) -> str | None:
    # IS_POSSIBLE_LOCAL_ONLY ("900123" with no area code) would give "+44900123", a
    # number nobody has, so it is treated like any other impossible number.
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
