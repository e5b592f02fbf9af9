"""The person model's comparisons, each written once and rendered twice.

Every level has a SQL condition (for Splink on DuckDB or Spark) and a Python test
(for the incremental path). Both read the same feature columns with the same
three-valued logic, so a pair scored either way falls in the same level.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import jellyfish

Row = Mapping[str, Any]
Dialect = Literal["duckdb", "spark"]

_FUNCTIONS: dict[Dialect, dict[str, str]] = {
    "duckdb": {"jw": "jaro_winkler_similarity", "overlap": "list_has_any", "len": "length"},
    "spark": {"jw": "jaro_winkler", "overlap": "arrays_overlap", "len": "length"},
}

NAME_SIMILARITY = 0.9


@dataclass(frozen=True)
class Level:
    """One comparison level: a label, its SQL condition and the same test in Python."""

    label: str
    sql: str
    test: Callable[[Row, Row], bool]
    is_null: bool = False

    def render(self, dialect: Dialect) -> str:
        """Return the SQL condition with this dialect's function names."""
        return self.sql.format(**_FUNCTIONS[dialect])


@dataclass(frozen=True)
class Comparison:
    """A field (or group of fields) compared between two mentions, in ordered levels."""

    name: str
    description: str
    levels: tuple[Level, ...]

    def level_of(self, left: Row, right: Row) -> int:
        """Return the index of the first level whose test holds (the last is 'else')."""
        for index, level in enumerate(self.levels):
            if level.test(left, right):
                return index
        return len(self.levels) - 1


def _both(column: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: a[column] is not None and b[column] is not None


def _either_null(*columns: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: any(a[c] is None or b[c] is None for c in columns)


def _equal(column: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: a[column] is not None and a[column] == b[column]


def _overlap(column: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: bool(a[column] and b[column] and set(a[column]) & set(b[column]))


def _similar(column: str) -> Callable[[Row, Row], bool]:
    def test(a: Row, b: Row) -> bool:
        if a[column] is None or b[column] is None:
            return False
        return bool(jellyfish.jaro_winkler_similarity(a[column], b[column]) >= NAME_SIMILARITY)

    return test


def _else(a: Row, b: Row) -> bool:
    return True


def _null_level(*columns: str) -> Level:
    sql = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)
    return Level("missing on one side", sql, _either_null(*columns), is_null=True)


def _exact(column: str, label: str = "exact") -> Level:
    return Level(label, f"{column}_l = {column}_r", _equal(column))


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


def _same_month_partial(a: Row, b: Row) -> bool:
    if None in (a["dob_year"], a["dob_month"], b["dob_year"], b["dob_month"]):
        return False
    return bool(
        a["dob_year"] == b["dob_year"]
        and a["dob_month"] == b["dob_month"]
        and (a["dob_day"] is None or b["dob_day"] is None)
    )


def _same_year(a: Row, b: Row) -> bool:
    return a["dob_year"] is not None and a["dob_year"] == b["dob_year"]


def _birth_year(row: Row) -> Any:
    return row["dob_year"] if row["dob_year"] is not None else row["birth_year_est"]


def _estimate_fits(a: Row, b: Row) -> bool:
    x, y = _birth_year(a), _birth_year(b)
    if x is None or y is None:
        return False
    return bool((a["dob_year"] is None or b["dob_year"] is None) and abs(x - y) <= 2)


def _no_birth_year(a: Row, b: Row) -> bool:
    return _birth_year(a) is None or _birth_year(b) is None


_BY_L = "coalesce(dob_year_l, birth_year_est_l)"
_BY_R = "coalesce(dob_year_r, birth_year_est_r)"

PERSON_COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "first_name",
        "First name: exact, nickname of each other, similar spelling, sounds alike, initial",
        (
            _null_level("first_name"),
            _exact("first_name"),
            Level(
                "nickname or short form",
                "{overlap}(first_family_l, first_family_r)",
                _overlap("first_family"),
            ),
            Level(
                f"Jaro-Winkler >= {NAME_SIMILARITY}",
                f"{{jw}}(first_name_l, first_name_r) >= {NAME_SIMILARITY}",
                _similar("first_name"),
            ),
            _exact("first_metaphone", "sounds alike (metaphone)"),
            Level(
                "initial only, same letter",
                "({len}(first_name_l) = 1 OR {len}(first_name_r) = 1)"
                " AND substr(first_name_l, 1, 1) = substr(first_name_r, 1, 1)",
                _initial,
            ),
            Level("different", "ELSE", _else),
        ),
    ),
    Comparison(
        "surname",
        "Surname: exact, shares a part (double-barrelled), similar, sounds alike",
        (
            _null_level("surname"),
            _exact("surname"),
            Level(
                "shares a part of a double-barrelled name",
                "{overlap}(surnames_l, surnames_r)",
                _overlap("surnames"),
            ),
            Level(
                f"Jaro-Winkler >= {NAME_SIMILARITY}",
                f"{{jw}}(surname_l, surname_r) >= {NAME_SIMILARITY}",
                _similar("surname"),
            ),
            _exact("surname_metaphone", "sounds alike (metaphone)"),
            # A changed surname lands here too; other fields then carry the match.
            Level("different", "ELSE", _else),
        ),
    ),
    Comparison(
        "date_of_birth",
        "Date of birth (full or partial) or a year of birth estimated from a stated age",
        (
            Level(
                "no date of birth or age on one side",
                f"{_BY_L} IS NULL OR {_BY_R} IS NULL",
                _no_birth_year,
                is_null=True,
            ),
            _exact("dob", "same full date"),
            Level(
                "day and month swapped",
                "dob_year_l = dob_year_r AND dob_month_l = dob_day_r AND dob_day_l = dob_month_r",
                _swapped,
            ),
            Level(
                "same year and month, day unknown on one side",
                "dob_year_l = dob_year_r AND dob_month_l = dob_month_r"
                " AND (dob_day_l IS NULL OR dob_day_r IS NULL)",
                _same_month_partial,
            ),
            Level("same year, otherwise differs or unknown", "dob_year_l = dob_year_r", _same_year),
            Level(
                "age estimate within 2 years of the other's birth year",
                f"(dob_year_l IS NULL OR dob_year_r IS NULL) AND abs({_BY_L} - {_BY_R}) <= 2",
                _estimate_fits,
            ),
            Level("different", "ELSE", _else),
        ),
    ),
    Comparison(
        "postcode",
        "Home postcode: exact, same district",
        (
            _null_level("postcode"),
            _exact("postcode"),
            _exact("postcode_district", "same district"),
            Level("different", "ELSE", _else),
        ),
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
    ("bk_surname_year", ("surname_metaphone", "dob_year")),
    ("bk_first_dob", ("first_metaphone", "dob")),
    ("bk_first_postcode", ("first_name", "postcode")),
    ("bk_surname_postcode", ("surname", "postcode")),
    ("bk_dob_district", ("dob", "postcode_district")),
    ("bk_first_surname", ("first_metaphone", "surname_metaphone")),
)


def add_blocking_keys(row: dict[str, Any]) -> dict[str, Any]:
    """Add the `bk_*` columns to a feature row (None where a part is missing)."""
    phones = row.get("phones")
    parts_of = {**row, "phone1": phones[0] if phones else None}
    for name, parts in BLOCKING_KEYS:
        values = [parts_of[p] for p in parts]
        row[name] = None if any(v is None for v in values) else "|".join(str(v) for v in values)
    return row


def blocking_keys_of(row: Row) -> list[str]:
    """Return the row's blocking keys, each prefixed with its rule name."""
    return [f"{name}:{row[name]}" for name, _ in BLOCKING_KEYS if row.get(name) is not None]
