"""The person model's comparisons, each written once and rendered twice.

Every level has a SQL condition (for Splink on DuckDB or Spark) and a Python test
(for the incremental path). Both read the same feature columns with the same
three-valued logic, so a pair scored either way falls in the same level.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import jellyfish

Row = Mapping[str, Any]
Dialect = Literal["duckdb", "spark"]

_FUNCTIONS: dict[Dialect, dict[str, str]] = {
    "duckdb": {
        "jw": "jaro_winkler_similarity",
        "overlap": "list_has_any",
        "len": "length",
        "lev": "levenshtein",
        "dl": "damerau_levenshtein",
    },
    "spark": {
        "jw": "jaro_winkler",
        "overlap": "arrays_overlap",
        "len": "length",
        "lev": "levenshtein",
        # From Splink's similarity jar, registered with the session (engines.py).
        "dl": "damerau_levenshtein",
    },
}

NAME_SIMILARITY = 0.9
# A first name this long or longer may be a short form of a name it begins ("kat").
PREFIX_LENGTH = 3
# The share of one person's pairs of mentions whose stated years of birth are more than
# five years apart (a recording error that large).
YEARS_APART_M = 0.001
# The share whose two ages (stated or guessed) are more than ten years apart.
AGES_APART_M = 0.0002
# Names this long or longer that differ by one letter are taken for a typing slip.
TYPO_LENGTH = 5
# How far apart two years of birth may be when one is estimated from a stated age:
# a child's age is usually known to the year, an adult's is a guess.
CHILD_ESTIMATE_YEARS = 2
ADULT_ESTIMATE_YEARS = 5


@dataclass(frozen=True)
class Level:
    """One comparison level: a label, its SQL condition and the same test in Python."""

    label: str
    sql: str
    test: Callable[[Row, Row], bool]
    is_null: bool = False
    fixed_m: float | None = None
    """An m set by domain knowledge and never estimated (see `_years_apart`)."""

    def render(self, dialect: Dialect) -> str:
        """Return the SQL condition with this dialect's function names."""
        return self.sql.format(**_FUNCTIONS[dialect])


@dataclass(frozen=True)
class Comparison:
    """A field (or group of fields) compared between two mentions, in ordered levels.

    `tf_column`, when set, names the column whose exact-match level is adjusted for
    how common the shared value is (term frequency): two mentions sharing a rare
    surname weigh more than two sharing a common one.
    """

    name: str
    description: str
    levels: tuple[Level, ...]
    tf_column: str | None = None

    def level_of(self, left: Row, right: Row) -> int:
        """Return the index of the first level whose test holds (the last is 'else')."""
        for index, level in enumerate(self.levels):
            if level.test(left, right):
                return index
        return len(self.levels) - 1

    @property
    def tf_level(self) -> int | None:
        """The index of the level term frequencies adjust (its exact match), if any."""
        if self.tf_column is None:
            return None
        return next(i for i, lv in enumerate(self.levels) if lv.sql == _exact_sql(self.tf_column))


def _either_null(*columns: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: any(a[c] is None or b[c] is None for c in columns)


def _equal(column: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: a[column] is not None and a[column] == b[column]


def _overlap(column: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: bool(a[column] and b[column] and set(a[column]) & set(b[column]))


def _shares_part(a: Row, b: Row) -> bool:
    x, y = a["surname"], b["surname"]
    if x is None or y is None or ("-" not in x and "-" not in y):
        return False
    return _overlap("surnames")(a, b)


def _jw(x: Any, y: Any) -> bool:
    if x is None or y is None:
        return False
    return bool(jellyfish.jaro_winkler_similarity(x, y) >= NAME_SIMILARITY)


def _similar(column: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: _jw(a[column], b[column])


# Damerau-Levenshtein is slow in SQL; one edit between strings of four or more letters
# always leaves a Jaro-Winkler similarity of at least 0.83, so pairs below this are
# ruled out first (in SQL and in Python alike, so both paths still agree).
_ONE_EDIT_JW = 0.8


def _one_edit(column: str, shortest: int) -> Callable[[Row, Row], bool]:
    def test(a: Row, b: Row) -> bool:
        x, y = a[column], b[column]
        if x is None or y is None or len(x) < shortest or len(y) < shortest:
            return False
        if jellyfish.jaro_winkler_similarity(x, y) < _ONE_EDIT_JW:
            return False
        return bool(jellyfish.damerau_levenshtein_distance(x, y) <= 1)

    return test


def _one_edit_level(column: str, label: str, shortest: int = 0) -> Level:
    """A typing slip: one letter added, dropped, changed or two swapped (Damerau-Levenshtein).

    With `shortest`, both values must be at least that long: "ling" and "jing" are two
    names, not a slip.
    """
    sql = (
        f"{{jw}}({column}_l, {column}_r) >= {_ONE_EDIT_JW} AND {{dl}}({column}_l, {column}_r) <= 1"
    )
    if shortest:
        sql = f"{{len}}({column}_l) >= {shortest} AND {{len}}({column}_r) >= {shortest} AND {sql}"
    return Level(label, sql, _one_edit(column, shortest))


def _else(a: Row, b: Row) -> bool:
    return True


def _null_level(*columns: str) -> Level:
    sql = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)
    return Level("missing on one side", sql, _either_null(*columns), is_null=True)


def _exact_sql(column: str) -> str:
    return f"{column}_l = {column}_r"


def _exact(column: str, label: str = "exact") -> Level:
    return Level(label, _exact_sql(column), _equal(column))


def _prefix(a: Row, b: Row) -> bool:
    x, y = a["first_name"], b["first_name"]
    if x is None or y is None or len(x) < PREFIX_LENGTH or len(y) < PREFIX_LENGTH:
        return False
    return bool(y.startswith(x) or x.startswith(y))


def _crossed(a: Row, b: Row) -> bool:
    """One mention's first name is the other's surname (names swapped, or a lone surname)."""
    return (a["first_name"] is not None and a["first_name"] == b["surname"]) or (
        a["surname"] is not None and a["surname"] == b["first_name"]
    )


def _initial(a: Row, b: Row) -> bool:
    x, y = a["first_name"], b["first_name"]
    return x is not None and y is not None and (len(x) == 1 or len(y) == 1) and x[0] == y[0]


def _swapped(a: Row, b: Row) -> bool:
    if None in (a["dob_year"], a["dob_month"], a["dob_day"], b["dob_month"], b["dob_day"]):
        return False
    return bool(
        a["dob_year"] == b["dob_year"]
        and a["dob_month"] == b["dob_day"]
        and a["dob_day"] == b["dob_month"]
    )


def _date_typo(a: Row, b: Row) -> bool:
    x, y = a["dob"], b["dob"]
    if x is None or y is None or _date_parts_equal(a, b) < 2:
        return False
    return bool(jellyfish.levenshtein_distance(x, y) <= 1)


def _date_parts_equal(a: Row, b: Row) -> int:
    return sum(a[c] is not None and a[c] == b[c] for c in ("dob_year", "dob_month", "dob_day"))


# One character apart means one of year, month and day differs: two must agree, which
# rules most pairs out before the (slow) edit distance.
_DATE_TYPO_SQL = (
    "(CASE WHEN dob_year_l = dob_year_r THEN 1 ELSE 0 END"
    " + CASE WHEN dob_month_l = dob_month_r THEN 1 ELSE 0 END"
    " + CASE WHEN dob_day_l = dob_day_r THEN 1 ELSE 0 END) >= 2"
    " AND {lev}(dob_l, dob_r) <= 1"
)


def _same_month_partial(a: Row, b: Row) -> bool:
    if None in (a["dob_year"], a["dob_month"], b["dob_year"], b["dob_month"]):
        return False
    return bool(
        a["dob_year"] == b["dob_year"]
        and a["dob_month"] == b["dob_month"]
        and (a["dob_day"] is None or b["dob_day"] is None)
    )


def _same_year_partial(a: Row, b: Row) -> bool:
    return (
        a["dob_year"] is not None
        and a["dob_year"] == b["dob_year"]
        and (a["dob"] is None or b["dob"] is None)
    )


def _years_apart(a: Row, b: Row) -> bool:
    x, y = a["dob_year"], b["dob_year"]
    return x is not None and y is not None and abs(x - y) > ADULT_ESTIMATE_YEARS


def _no_estimate(a: Row, b: Row) -> bool:
    both_stated = a["dob_year"] is not None and b["dob_year"] is not None
    return both_stated or a["birth_year"] is None or b["birth_year"] is None


def _within(years: int) -> Callable[[Row, Row], bool]:
    def test(a: Row, b: Row) -> bool:
        x, y = a["birth_year"], b["birth_year"]
        return x is not None and y is not None and abs(x - y) <= years

    return test


def _no_home(a: Row, b: Row) -> bool:
    return (a["postcode"] is None or b["postcode"] is None) and (
        a["street"] is None or b["street"] is None
    )


def _same_address(a: Row, b: Row) -> bool:
    return (
        a["address_number"] is not None
        and a["address_number"] == b["address_number"]
        and a["street"] is not None
        and a["street"] == b["street"]
    )


def _same_number_similar_street(a: Row, b: Row) -> bool:
    return (
        a["address_number"] is not None
        and a["address_number"] == b["address_number"]
        and _jw(a["street"], b["street"])
    )


PERSON_COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "first_name",
        "First name: exact, short form of each other, similar spelling, sounds alike, initial",
        (
            _null_level("first_name"),
            _exact("first_name"),
            Level(
                "nickname or short form",
                "{overlap}(first_family_l, first_family_r)",
                _overlap("first_family"),
            ),
            _one_edit_level(
                "first_name", f"one letter different ({TYPO_LENGTH}+ letters)", TYPO_LENGTH
            ),
            Level(
                f"one begins with the other ({PREFIX_LENGTH}+ letters)",
                f"{{len}}(first_name_l) >= {PREFIX_LENGTH} AND {{len}}(first_name_r) >= "
                f"{PREFIX_LENGTH} AND (substr(first_name_r, 1, {{len}}(first_name_l)) = "
                "first_name_l OR substr(first_name_l, 1, {len}(first_name_r)) = first_name_r)",
                _prefix,
            ),
            Level(
                f"Jaro-Winkler >= {NAME_SIMILARITY}",
                f"{{jw}}(first_name_l, first_name_r) >= {NAME_SIMILARITY}",
                _similar("first_name"),
            ),
            _exact("first_metaphone", "sounds alike (metaphone)"),
            Level(
                "is the other's surname (names swapped)",
                "first_name_l = surname_r OR surname_l = first_name_r",
                _crossed,
            ),
            Level(
                "initial only, same letter",
                "({len}(first_name_l) = 1 OR {len}(first_name_r) = 1)"
                " AND substr(first_name_l, 1, 1) = substr(first_name_r, 1, 1)",
                _initial,
            ),
            Level("different", "ELSE", _else),
        ),
        tf_column="first_name",
    ),
    Comparison(
        "surname",
        "Surname: exact, shares a part (double-barrelled), similar, sounds alike, swapped",
        (
            _null_level("surname"),
            _exact("surname"),
            # Only a hyphenated name has parts (one word alone is the exact level).
            Level(
                "shares a part of a double-barrelled name",
                "(instr(surname_l, '-') > 0 OR instr(surname_r, '-') > 0)"
                " AND {overlap}(surnames_l, surnames_r)",
                _shares_part,
            ),
            _one_edit_level(
                "surname", f"one letter different ({TYPO_LENGTH}+ letters)", TYPO_LENGTH
            ),
            Level(
                f"Jaro-Winkler >= {NAME_SIMILARITY}",
                f"{{jw}}(surname_l, surname_r) >= {NAME_SIMILARITY}",
                _similar("surname"),
            ),
            _exact("surname_metaphone", "sounds alike (metaphone)"),
            Level(
                "is the other's first name (names swapped)",
                "first_name_l = surname_r OR surname_l = first_name_r",
                _crossed,
            ),
            # A changed surname lands here too; other fields then carry the match.
            Level("different", "ELSE", _else),
        ),
        tf_column="surname",
    ),
    Comparison(
        "date_of_birth",
        "Date of birth as stated, full or partial",
        (
            _null_level("dob_year"),
            _exact("dob", "same full date"),
            Level(
                "day and month swapped",
                "dob_year_l = dob_year_r AND dob_month_l = dob_day_r AND dob_day_l = dob_month_r",
                _swapped,
            ),
            Level("full dates one character apart", _DATE_TYPO_SQL, _date_typo),
            Level(
                "same year and month, day unknown on one side",
                "dob_year_l = dob_year_r AND dob_month_l = dob_month_r"
                " AND (dob_day_l IS NULL OR dob_day_r IS NULL)",
                _same_month_partial,
            ),
            Level(
                "same year, month or day unknown on one side",
                "dob_year_l = dob_year_r AND (dob_l IS NULL OR dob_r IS NULL)",
                _same_year_partial,
            ),
            # One person's stated years of birth are not more than 5 years apart. Left to
            # expectation maximisation, a mother and daughter of one name at one address
            # look like one person written twice; so this m is fixed, not estimated.
            Level(
                f"years more than {ADULT_ESTIMATE_YEARS} apart",
                f"abs(dob_year_l - dob_year_r) > {ADULT_ESTIMATE_YEARS}",
                _years_apart,
                fixed_m=YEARS_APART_M,
            ),
            Level("different", "ELSE", _else),
        ),
    ),
    # An age is compared only where one side has no date of birth: whether an age was
    # written says nothing about identity, so it is the null level's business, and the
    # levels below weigh only whether the ages fit.
    Comparison(
        "age",
        "A year of birth estimated from a stated age, against the other's (stated or estimated)",
        (
            Level(
                "both have a date of birth, or one has neither date nor age",
                "(dob_year_l IS NOT NULL AND dob_year_r IS NOT NULL)"
                " OR birth_year_l IS NULL OR birth_year_r IS NULL",
                _no_estimate,
                is_null=True,
            ),
            Level("within a year", "abs(birth_year_l - birth_year_r) <= 1", _within(1)),
            Level(
                f"within {CHILD_ESTIMATE_YEARS} years",
                f"abs(birth_year_l - birth_year_r) <= {CHILD_ESTIMATE_YEARS}",
                _within(CHILD_ESTIMATE_YEARS),
            ),
            # An adult's age is a guess: five years out is common.
            Level(
                f"within {ADULT_ESTIMATE_YEARS} years",
                f"abs(birth_year_l - birth_year_r) <= {ADULT_ESTIMATE_YEARS}",
                _within(ADULT_ESTIMATE_YEARS),
            ),
            Level(
                f"within {2 * ADULT_ESTIMATE_YEARS} years",
                f"abs(birth_year_l - birth_year_r) <= {2 * ADULT_ESTIMATE_YEARS}",
                _within(2 * ADULT_ESTIMATE_YEARS),
            ),
            # Two guesses at one person's age are not more than ten years apart; fixed,
            # like the stated years above, so that a mother and daughter stay two.
            Level(
                f"more than {2 * ADULT_ESTIMATE_YEARS} years apart",
                "ELSE",
                _else,
                fixed_m=AGES_APART_M,
            ),
        ),
    ),
    Comparison(
        "home",
        "Home address and postcode: same address, same postcode, same street, nearby",
        (
            Level(
                "no address or postcode to compare",
                "(postcode_l IS NULL OR postcode_r IS NULL)"
                " AND (street_l IS NULL OR street_r IS NULL)",
                _no_home,
                is_null=True,
            ),
            Level(
                "same house number and street",
                "address_number_l = address_number_r AND street_l = street_r",
                _same_address,
            ),
            _exact("postcode", "same postcode"),
            Level(
                f"same house number, street Jaro-Winkler >= {NAME_SIMILARITY}",
                "address_number_l = address_number_r"
                f" AND {{jw}}(street_l, street_r) >= {NAME_SIMILARITY}",
                _same_number_similar_street,
            ),
            _one_edit_level("postcode", "postcode one character different"),
            _exact("street", "same street, another house"),
            _exact("postcode_district", "same postcode district"),
            _exact("locality", "same town or suburb only"),
            Level("different", "ELSE", _else),
        ),
        tf_column="postcode",
    ),
    # A child is mostly known where they live. (Which agency wrote the record is left
    # out on purpose: it would reward an agency's own repeated notes and count against
    # the joins between agencies this product exists to make.)
    Comparison(
        "area",
        "The area the record was made in",
        (_null_level("area"), _exact("area", "same area"), Level("different", "ELSE", _else)),
    ),
    Comparison(
        "phone",
        "Any phone number in common (E.164)",
        (
            _null_level("phones"),
            Level("a number in common", "{overlap}(phones_l, phones_r)", _overlap("phones")),
            Level("different", "ELSE", _else),
        ),
    ),
    Comparison(
        "nhs_number",
        "NHS number (valid check digit only)",
        (_null_level("nhs"), _exact("nhs"), Level("different", "ELSE", _else)),
    ),
    Comparison(
        "upn",
        "School unique pupil number",
        (_null_level("upn"), _exact("upn"), Level("different", "ELSE", _else)),
    ),
    Comparison(
        "pnc_id",
        "Police National Computer id",
        (_null_level("pnc"), _exact("pnc"), Level("different", "ELSE", _else)),
    ),
    Comparison(
        "local_id",
        "An agency's own case or person number",
        (_null_level("local_id"), _exact("local_id"), Level("different", "ELSE", _else)),
    ),
    Comparison(
        "gender",
        "Recorded gender (female or male; other values count as unknown)",
        (_null_level("gender"), _exact("gender"), Level("different", "ELSE", _else)),
    ),
)

# Pairs are only scored when they share one of these keys; the incremental index
# uses exactly the same keys, so both paths see the same candidate pairs.
BLOCKING_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bk_nhs", ("nhs",)),
    ("bk_upn", ("upn",)),
    ("bk_pnc", ("pnc",)),
    ("bk_local_id", ("local_id",)),
    ("bk_phone", ("phone1",)),
    ("bk_surname_year", ("name_metaphone", "dob_year")),
    ("bk_first_dob", ("first_metaphone", "dob")),
    ("bk_first_postcode", ("first_name", "postcode")),
    ("bk_surname_postcode", ("surname", "postcode")),
    ("bk_dob_district", ("dob", "postcode_district")),
    # The two metaphones in either order: "Dakin Joselyn" meets "Joselyn Dakin" here.
    ("bk_first_surname", ("name_pair",)),
    ("bk_street", ("address_number", "street")),
)

# A mention with a first name and no surname ("Ash, about 28") shares none of the keys
# above with the man's other mentions. It is compared with every mention whose first
# name is in its name's family and whose year of birth is near its own: it *probes*
# for first name + year keys, which every mention *stores*. The relation is one-sided
# (two full names never meet this way), so a full name's store key is never a probe.
LONE_STORE = "bk_name_year"
LONE_PROBE = "bk_lone_probe"
# A list column must not be empty, or SQL's unnest drops the row from both sides of
# the join; this value matches no store key.
NO_PROBE = "~"


def _lone_probes(row: Row) -> list[str]:
    first, year = row["first_name"], row["birth_year"]
    if first is None or row["surname"] is not None or year is None:
        return []
    spread = ADULT_ESTIMATE_YEARS if row["adult"] else CHILD_ESTIMATE_YEARS
    names = row["first_family"] or [first]
    return [f"{name}|{y}" for name in names for y in range(year - spread, year + spread + 1)]


def add_blocking_keys(row: dict[str, Any]) -> dict[str, Any]:
    """Add the `bk_*` columns to a feature row (None where a part is missing)."""
    phones = row.get("phones")
    # A lone name may be a surname ("Khan, about 28"): it blocks as one too.
    name_metaphone = row["surname_metaphone"] or row["first_metaphone"]
    pair = (row["first_metaphone"], row["surname_metaphone"])
    parts_of = {
        **row,
        "phone1": phones[0] if phones else None,
        "name_metaphone": name_metaphone,
        "name_pair": None if None in pair else "|".join(sorted(pair)),
    }
    for name, parts in BLOCKING_KEYS:
        values = [parts_of[p] for p in parts]
        row[name] = None if any(v is None for v in values) else "|".join(str(v) for v in values)
    first, year = row["first_name"], row["birth_year"]
    row[LONE_STORE] = f"{first}|{year}" if first is not None and year is not None else None
    row[LONE_PROBE] = _lone_probes(row) or [NO_PROBE]
    return row


def _probes(row: Row) -> list[str]:
    return [p for p in row.get(LONE_PROBE) or () if p != NO_PROBE]


# The longest key stored (people.BlockingKey.key and ResolvedEntity.key). Names, places
# and platforms may run to 10,000 characters; a longer key is kept as its prefix and a
# SHA-256 of the whole, which both sides of a lookup compute alike.
KEY_MAX = 400


def bounded_key(key: str) -> str:
    """Return `key`, or "<prefix>:sha256:<hex>" when it is longer than `KEY_MAX`."""
    if len(key) <= KEY_MAX:
        return key
    return f"{key.split(':', 1)[0]}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _bounded(keys: list[str]) -> list[str]:
    return [bounded_key(key) for key in keys]


def blocking_keys_of(row: Row) -> list[str]:
    """Return the keys a row is found by, each prefixed with its rule name."""
    keys = [f"{name}:{row[name]}" for name, _ in BLOCKING_KEYS if row.get(name) is not None]
    if row.get(LONE_STORE) is not None:
        keys.append(f"{LONE_STORE}:{row[LONE_STORE]}")
    keys.extend(f"{LONE_PROBE}:{p}" for p in _probes(row))
    return _bounded(keys)


def probe_keys_of(row: Row) -> list[str]:
    """Return the keys to look up to find a row's candidates (see `blocking_keys_of`)."""
    keys = [f"{name}:{row[name]}" for name, _ in BLOCKING_KEYS if row.get(name) is not None]
    keys.extend(f"{LONE_STORE}:{p}" for p in _probes(row))
    if row.get(LONE_STORE) is not None:
        keys.append(f"{LONE_PROBE}:{row[LONE_STORE]}")
    return _bounded(keys)


# How many mentions one lone name is compared with in a batch run, at most. "Ash, about
# 28" said 2,500 times would otherwise be compared with every Ash born within five years
# of each estimate: millions of pairs from one name, none of them likely to be certain.
LONE_PROBE_BUDGET = 300


def cap_lone_probes(
    rows: Sequence[dict[str, Any]], budget: int = LONE_PROBE_BUDGET
) -> list[dict[str, Any]]:
    """Return the rows with each lone name's probes cut to `budget` candidates.

    The years nearest the mention's own come first; a probe whose candidates would take
    the total past the budget is dropped with every year further out. A row whose probes
    are all kept is returned as it is; the others are copies.
    """
    stored = Counter(row[LONE_STORE] for row in rows if row.get(LONE_STORE) is not None)
    capped: list[dict[str, Any]] = []
    for row in rows:
        probes = _probes(row)
        if not probes:
            capped.append(row)
            continue
        year = row["birth_year"]
        kept, total = [], 0
        for probe in sorted(probes, key=lambda p: (abs(int(p.rsplit("|", 1)[1]) - year), p)):
            total += stored.get(probe, 0)
            if total > budget:
                break
            kept.append(probe)
        capped.append(row if len(kept) == len(probes) else {**row, LONE_PROBE: kept or [NO_PROBE]})
    return capped


# How many distinct mentions one blocking key may pair in a batch run. In a partnership
# of a million records, "Clarke, born 2008" or "Holly Lees" is shared by a thousand
# mentions: half a million pairs from one key, nearly all of different people, and the
# few that are the same person share a date of birth, a postcode or an identifier too.
BLOCK_LIMIT = 300


def cap_common_keys(
    rows: Sequence[dict[str, Any]], limit: int = BLOCK_LIMIT
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Return the rows with every blocking key shared by more than `limit` rows blanked,
    and how many keys of each rule were blanked.

    Such rows are still paired through their other keys. A row left whole is returned
    as it is; the others are copies.
    """
    common: dict[str, set[str]] = {}
    for name, _ in BLOCKING_KEYS:
        counts = Counter(row[name] for row in rows if row.get(name) is not None)
        if over := {key for key, n in counts.items() if n > limit}:
            common[name] = over
    if not common:
        return list(rows), {}
    capped: list[dict[str, Any]] = []
    for row in rows:
        blank = {name: None for name, over in common.items() if row.get(name) in over}
        capped.append({**row, **blank} if blank else row)
    return capped, {name: len(over) for name, over in common.items()}


def has_lone_probes(rows: Iterable[Row]) -> bool:
    """True when some row is a lone name the lone-name rule compares."""
    return any(_probes(row) for row in rows)


def splink_blocking_rules(dialect: Dialect, *, lone_names: bool = True) -> list[dict[str, Any]]:
    """Return the blocking rules of the batch run, as Splink settings entries.

    Without `lone_names` (no row has lone-name probes) the two exploding rules are left
    out: they would find nothing, and exploding costs seconds per 100,000 rows.
    """
    rules: list[dict[str, Any]] = [
        {"blocking_rule": f"l.{name} = r.{name}", "sql_dialect": dialect}
        for name, _ in BLOCKING_KEYS
    ]
    if not lone_names:
        return rules
    # Splink's exploding rules come last: they do not exclude each other's pairs, so
    # a pair both rules find (two lone names) comes back twice; `predict_pairs` drops
    # the second.
    for rule in (f"l.{LONE_PROBE} = r.{LONE_STORE}", f"l.{LONE_STORE} = r.{LONE_PROBE}"):
        rules.append(
            {"blocking_rule": rule, "sql_dialect": dialect, "arrays_to_explode": [LONE_PROBE]}
        )
    return rules
