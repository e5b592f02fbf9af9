import pytest

from shinealight.core.normalise import normalise_vrm, vrm_could_match, vrm_is_partial


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("KX55 ABC", "KX55ABC"),
        ("kx55 abc", "KX55ABC"),
        ("KX55-ABC", "KX55ABC"),
        ("K.X.5.5.A.B.C", "KX55ABC"),
        ("  kx55\u00a0abc\t", "KX55ABC"),
        ("KX55 ???", "KX55???"),
        ("kx5? a?c", "KX5?A?C"),
    ],
)
def test_the_same_plate_written_differently_normalises_to_one_mark(
    written: str, expected: str
) -> None:
    assert normalise_vrm(written) == expected


@pytest.mark.parametrize("written", ["", "   ", " - . "])
def test_nothing_written_gives_an_empty_mark(written: str) -> None:
    assert normalise_vrm(written) == ""


def test_missing_value_gives_an_empty_mark() -> None:
    assert normalise_vrm(None) == ""  # type: ignore[arg-type]


def test_a_mark_with_unseen_characters_is_partial() -> None:
    assert vrm_is_partial("KX55???")
    assert not vrm_is_partial("KX55ABC")


def test_a_partial_plate_could_match_a_full_plate_it_fits() -> None:
    assert vrm_could_match("KX55???", "KX55ABC")
    assert vrm_could_match("?X55A?C", "KX55ABC")


def test_a_partial_plate_does_not_match_a_plate_that_differs_in_a_seen_character() -> None:
    assert not vrm_could_match("KX56???", "KX55ABC")


def test_plates_of_different_lengths_never_match() -> None:
    assert not vrm_could_match("KX55??", "KX55ABC")
    assert not vrm_could_match("KX55????", "KX55ABC")


def test_the_unknown_marker_works_from_either_side() -> None:
    assert vrm_could_match("KX55ABC", "KX55???")
    assert vrm_could_match("KX5?ABC", "KX55A?C")


def test_a_full_plate_matches_only_itself() -> None:
    assert vrm_could_match("KX55ABC", "KX55ABC")
    assert not vrm_could_match("KX55ABC", "KX55ABD")


def test_an_empty_mark_matches_nothing() -> None:
    assert not vrm_could_match("", "")
    assert not vrm_could_match("", "KX55ABC")
    assert not vrm_could_match("???????", "")
