"""Property tests of the normalisers linkage relies on: idempotent, and variants converge."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shinealight.core.linkage import first_name_family, object_key
from shinealight.core.normalise import normalise_name, normalise_phone, normalise_vrm

PLATE = st.from_regex(r"[A-Z]{2}[0-9]{2}[A-Z]{3}", fullmatch=True)


@given(st.text())
def test_normalise_name_is_idempotent(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once


@given(st.text(alphabet="abcdefghij KLMNO-'", min_size=1))
def test_name_case_and_spacing_variants_converge(text: str) -> None:
    assert normalise_name(text.upper()) == normalise_name("  " + text.lower() + " ")


@given(PLATE, st.sampled_from(["{a} {b}", "{a}{b}", "{a}-{b}", "{a} . {b}"]), st.booleans())
def test_plate_format_variants_converge(plate: str, shape: str, lower: bool) -> None:
    written = shape.format(a=plate[:4], b=plate[4:])
    written = written.lower() if lower else written
    assert normalise_vrm(written) == plate
    assert normalise_vrm(normalise_vrm(written)) == plate
    assert object_key("vehicle", {"vrm": written}) == f"vrm:{plate}"


@given(
    st.integers(min_value=900000, max_value=900999),
    st.sampled_from(["0{a} {b}", "0{a}{b}", "+44 {a} {b}", "(0{a}) {b}", "+44{a}{b}"]),
)
def test_phone_format_variants_converge(number: int, shape: str) -> None:
    written = shape.format(a="7700", b=str(number))
    e164 = normalise_phone(written)
    assert e164 == f"+447700{number}"
    assert normalise_phone(e164) == e164


@given(st.sampled_from(["katie", "kate", "liz", "beth", "jack", "ash", "bob"]))
def test_a_name_is_in_its_own_family(name: str) -> None:
    assert name in first_name_family(name)


@given(st.text(min_size=1, max_size=3_000), st.text(min_size=1, max_size=3_000))
def test_object_keys_fit_their_column_and_still_tell_places_apart(name: str, other: str) -> None:
    place = object_key("location", {"name": name, "address": "1 Moorland Court"})
    again = object_key("location", {"name": name, "address": "1 Moorland Court"})
    elsewhere = object_key("location", {"name": other, "address": "1 Moorland Court"})
    if place is None:
        return
    assert len(place) <= 400 and place == again
    if elsewhere is not None and normalise_name(name) != normalise_name(other):
        assert place != elsewhere
