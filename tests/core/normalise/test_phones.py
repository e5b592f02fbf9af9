import pytest

from shinealight.core.normalise import normalise_phone


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 7700 900456", "+447700900456"),
        ("07700900123", "+447700900123"),
        ("07700-900-123", "+447700900123"),
        ("(07700) 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("01709 123456", "+441709123456"),
        ("+1 202 555 0143", "+12025550143"),
    ],
)
def test_numbers_are_written_in_e164(written: str, expected: str) -> None:
    assert normalise_phone(written) == expected


def test_the_fictional_drama_range_is_accepted() -> None:
    # Ofcom reserves 07700 900000-900999 for fiction; it is possible but not allocated.
    assert normalise_phone("07700 900999") == "+447700900999"


def test_a_number_without_country_code_is_read_in_the_given_region() -> None:
    assert normalise_phone("202 555 0143", region="US") == "+12025550143"
    assert normalise_phone("+44 7700 900123", region="US") == "+447700900123"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("07700 900123 (mum)", "+447700900123"),
        ("mum's phone: 07700 900123", "+447700900123"),
        ("07700 900123 ext 12", "+447700900123"),
    ],
)
def test_a_single_number_with_a_note_beside_it_is_found(written: str, expected: str) -> None:
    assert normalise_phone(written) == expected


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "unknown",
        "123",
        "07700 9001234567",
        # Local number with no area code: the area cannot be guessed.
        "900123",
        # The letter O typed for zero must not be read as keypad letters (O = 6).
        "07700 9OO123",
        # Two numbers in one field: which one belongs to the person is unclear.
        "07700 900123 / 07700 900456",
    ],
)
def test_text_that_is_not_one_whole_number_gives_none(written: str) -> None:
    assert normalise_phone(written) is None
