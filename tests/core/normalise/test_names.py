import pytest

from shinealight.core.normalise import name_tokens, normalise_name


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("  Chloe  Marie SMITH ", "chloe marie smith"),
        ("Chloe Marie Smith", "chloe marie smith"),
        ("O'Brien", "o'brien"),
        ("O\u2019Brien", "o'brien"),
        ("Smith-Jones", "smith-jones"),
        ("Smith\u2010Jones", "smith-jones"),
        ("Zoë", "zoe"),
        ("ZOE\u0308", "zoe"),
        ("Renée Ó Súilleabháin", "renee o suilleabhain"),
        ("Łukasz Wójcik", "lukasz wojcik"),
        ("Søren", "soren"),
        ("Straße", "strasse"),
        ("Smith, Chloe", "smith chloe"),
        ("Chloe (Clo) Smith", "chloe clo smith"),
        ("'Ash'", "ash"),
        ('"Ash"', "ash"),
        ("Smith - Jones", "smith jones"),
        ("-Smith-", "smith"),
        ("Smith--Jones", "smith-jones"),
        ("Dr. J. Smith", "dr j smith"),
        ("ash_99", "ash 99"),
    ],
)
def test_names_are_reduced_to_one_comparable_form(written: str, expected: str) -> None:
    assert normalise_name(written) == expected


@pytest.mark.parametrize("written", ["", "   ", "?", "--", "''"])
def test_a_name_with_no_letters_gives_an_empty_string(written: str) -> None:
    assert normalise_name(written) == ""


def test_normalising_twice_changes_nothing() -> None:
    once = normalise_name("  Renée O\u2019Brien-Smith ")
    assert normalise_name(once) == once


def test_tokens_follow_the_written_order() -> None:
    assert name_tokens("  Chloe  Marie SMITH ") == ["chloe", "marie", "smith"]


def test_a_hyphenated_surname_is_followed_by_its_parts() -> None:
    assert name_tokens("smith-jones") == ["smith-jones", "smith", "jones"]
    assert name_tokens("Chloe Smith-Jones") == ["chloe", "smith-jones", "smith", "jones"]


def test_a_token_is_listed_once() -> None:
    assert name_tokens("Jones Smith-Jones") == ["jones", "smith-jones", "smith"]


def test_an_apostrophe_name_stays_one_token() -> None:
    assert name_tokens("Siobhan O'Brien") == ["siobhan", "o'brien"]


def test_an_empty_name_has_no_tokens() -> None:
    assert name_tokens("") == []
