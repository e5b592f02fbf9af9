"""People's names reduced to a form that can be compared across agencies."""

import re
import unicodedata
from functools import lru_cache

# Word processors and phones turn "O'Brien" into "O’Brien" and "Smith-Jones" into
# "Smith‐Jones"; each agency would otherwise hold a different spelling of one child.
_APOSTROPHES = "\u2018\u2019\u201b\u02bc\u02b9\u0060\u00b4\u2032\uff07"
_HYPHENS = "\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d"
_LIKE_PUNCTUATION = str.maketrans(
    {**dict.fromkeys(_APOSTROPHES, "'"), **dict.fromkeys(_HYPHENS, "-")}
)
# Letters that carry no accent to strip, so NFKD leaves them alone; records written
# on a UK keyboard will spell "Łukasz" as "Lukasz" and "Søren" as "Soren".
_UNDECOMPOSABLE_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)
_JOINER_RUN = re.compile(r"['-]{2,}")
_JOINERS = "'-"


@lru_cache(maxsize=1 << 16)
def normalise_name(text: str) -> str:
    """Return a name in the form used for matching: no accents, case-folded, single-spaced.

    Hyphens and apostrophes are kept inside a name ("o'brien", "smith-jones") but other
    punctuation, and hyphens or quotes around a name ("'Ash'"), become spaces.
    ``"  Chloe  Marie SMITH "`` gives ``"chloe marie smith"``.
    """
    if not text:
        return ""
    # Case-folding first, because folding can itself produce accented letters.
    folded = text.casefold().translate(_LIKE_PUNCTUATION)
    # Compatibility forms such as mathematical bold "𝑨" decompose to capitals: fold again.
    decomposed = unicodedata.normalize("NFKD", folded).casefold()
    plain = "".join(_name_character(c) for c in decomposed).translate(_UNDECOMPOSABLE_LETTERS)
    words = []
    for chunk in plain.split():
        word = _JOINER_RUN.sub(lambda run: run.group()[0], chunk).strip(_JOINERS)
        if word:
            words.append(word)
    return " ".join(words)


def _name_character(character: str) -> str:
    category = unicodedata.category(character)
    # Non-spacing marks are the accents NFKD split off ("e" + acute); dropping them lets
    # "Zoë" match "Zoe". Spacing marks are part of letters in scripts such as Devanagari.
    if category == "Mn":
        return ""
    if category[0] in "LN" or category in ("Mc", "Me") or character in _JOINERS:
        return character
    return " "


def name_tokens(text: str) -> list[str]:
    """Return the words of a normalised name, with each hyphenated name also split.

    Tokens come in the order they are written; a hyphenated word is followed by its
    parts, and a token already listed is not repeated. So ``"Chloe Smith-Jones"``
    gives ``["chloe", "smith-jones", "smith", "jones"]``: a child recorded as
    "Chloe Jones" elsewhere still shares a surname token.
    """
    tokens: list[str] = []
    seen: set[str] = set()
    for word in normalise_name(text).split():
        candidates = [word]
        if "-" in word:
            candidates.extend(word.split("-"))
        for token in candidates:
            if token not in seen:
                seen.add(token)
                tokens.append(token)
    return tokens
