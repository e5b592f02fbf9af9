import pytest

from shinealight.core.normalise import normalise_nhs_number


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("943 476 5919", "9434765919"),
        ("9434765919", "9434765919"),
        ("943-476-5919", "9434765919"),
        (" 943 4765 919 ", "9434765919"),
        ("999 000 1111", "9990001111"),
    ],
)
def test_numbers_with_a_correct_check_digit_are_valid(written: str, expected: str) -> None:
    assert normalise_nhs_number(written) == (expected, True)


def test_a_mistyped_digit_fails_the_check() -> None:
    assert normalise_nhs_number("943 476 5918") == ("9434765918", False)


def test_a_number_whose_check_digit_would_be_ten_is_never_valid() -> None:
    # 1234567891: the weighted sum leaves remainder 1, so no digit can be correct.
    for last in "0123456789":
        assert normalise_nhs_number(f"123456789{last}")[1] is False


def test_a_valid_number_in_the_scottish_chi_range_passes_the_checksum() -> None:
    # 0133000001 starts "013300", not a date of birth, so nhs_number.is_valid() would
    # reject it as a CHI number; this function reports the modulus-11 check alone.
    assert normalise_nhs_number("013 300 0001") == ("0133000001", True)


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("943 476 591", "943476591"),
        ("943 476 59190", "94347659190"),
        ("NHS 943 476 5919", "NHS9434765919"),
        ("٩٤٣٤٧٦٥٩١٩", "٩٤٣٤٧٦٥٩١٩"),
        ("", ""),
    ],
)
def test_text_that_is_not_ten_digits_is_kept_as_written_and_invalid(
    written: str, kept: str
) -> None:
    assert normalise_nhs_number(written) == (kept, False)
