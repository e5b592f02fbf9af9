import pytest

from shinealight.core.normalise import normalise_postcode, postcode_district, postcode_sector


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("S65 1AB", "S65 1AB"),
        ("s651ab", "S65 1AB"),
        (" S65  1AB ", "S65 1AB"),
        ("s65\u00a01ab", "S65 1AB"),
        ("S65 1EQ", "S65 1EQ"),
        ("M1 1AE", "M1 1AE"),
        ("B338TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 1AA", "W1A 1AA"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("gir 0aa", "GIR 0AA"),
    ],
)
def test_postcodes_are_written_in_canonical_form(written: str, expected: str) -> None:
    assert normalise_postcode(written) == expected


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "Rotherham",
        "S65",
        "S65 1A",
        "S65 1ABC",
        "1S65 1AB",
        "S65-1AB",
        "QI1 1AB",  # second letter of the area cannot be I
        "SI65 1AB",
        "ı65 1AB",  # dotless i upper-cases to I but is not a postcode letter
        "90210",
    ],
)
def test_text_not_shaped_like_a_postcode_gives_none(written: str) -> None:
    assert normalise_postcode(written) is None


def test_district_is_the_outward_code() -> None:
    assert postcode_district("S65 1AB") == "S65"
    assert postcode_district("EC1A 1BB") == "EC1A"
    assert postcode_district("M1 1AE") == "M1"


def test_sector_is_the_outward_code_and_first_inward_digit() -> None:
    assert postcode_sector("S65 1AB") == "S65 1"
    assert postcode_sector("EC1A 1BB") == "EC1A 1"
    assert postcode_sector("M1 1AE") == "M1 1"


def test_postcodes_in_the_same_sector_share_it() -> None:
    assert postcode_sector(normalise_postcode("S65 1AB") or "") == postcode_sector(
        normalise_postcode("s65 1eq") or ""
    )
