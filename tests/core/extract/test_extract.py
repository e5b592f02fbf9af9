"""The free-text extractor against hand-labelled notes and tricky negatives (no Django)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shinealight.core.extract import Gazetteer, extract, parse_labelled, parse_patterns, score

DATA = Path(__file__).parents[2] / "data" / "extraction"


def _notes(path: Path) -> list:
    return [
        parse_labelled(line, source=f"{path.name}:{n}")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip() and not line.startswith("#")
    ]


def test_the_labelled_set_has_at_least_200_notes() -> None:
    assert len(_notes(DATA / "notes.txt")) >= 200


@pytest.mark.parametrize("path", [DATA / "notes.txt", DATA / "held-out" / "notes.txt"])
def test_plates_phones_and_postcodes_meet_their_goals(path: Path) -> None:
    scores = score(_notes(path), extract)
    for kind in ("vrm", "phone", "postcode"):
        s = scores[kind]
        assert s.recall is not None and s.recall >= 0.98, (kind, s.wrong)
        assert s.precision is not None and s.precision >= 0.95, (kind, s.wrong)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(e.kind, e.normalised) for e in extract(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in KX55 ABC", [("vrm", "KX55ABC")]),
        ("in kx55abc", [("vrm", "KX55ABC")]),
        ("reg KX55-ABC", [("vrm", "KX55ABC")]),
        ("reg KX 55 ABC", [("vrm", "KX55ABC")]),
        ("old car A123 BCD", [("vrm", "A123BCD")]),
        ("classic ABC 123D", [("vrm", "ABC123D")]),
        ("reg 1 ABC", [("vrm", "1ABC")]),
        ("reg AXZ 4521", [("vrm", "AXZ4521")]),
        ("plate KX55 ???", [("vrm", "KX55???")]),
        ("plate starting KX55", [("vrm", "KX55???")]),
        ("reg ending in NVC", [("vrm", "????NVC")]),
    ],
)
def test_registration_marks(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "In 2011 she moved.",
        "Paid £55 for it.",
        "Walked along the A630 and then the A61 to the M1.",
        "Back at 10pm, out again at 2am.",
        "Review on 14/03/2024 at 10:30.",
        "PNC ID 09/123456A; crime ref 14/55672/23; INC-2009-004417.",
        "Y11 6th form evening.",
        "She is 14, in Year 9, at 12 may be moved.",
        "Ash tree behind the garages.",
    ],
)
def test_tricky_negatives_find_nothing(text: str) -> None:
    assert extract(text) == []


def test_spans_point_at_what_was_written() -> None:
    text = "Her boyfriend Ash (07700 900123) drives kx55 abc, lives S65 1AB, snap: kiki_x9"
    for item in extract(text):
        assert text[item.start : item.end] == item.text
    assert kinds(text) == [
        ("name", "ash"),
        ("phone", "+447700900123"),
        ("vrm", "KX55ABC"),
        ("postcode", "S65 1AB"),
        ("handle", "snapchat:kiki_x9"),
    ]


def test_other_kinds() -> None:
    assert kinds("NHS no 943 476 5919") == [("nhs_number", "9434765919")]
    assert kinds("mail Kev.S@Example.com") == [("email", "kev.s@example.com")]
    assert kinds("Her insta is @bella.x") == [("handle", "instagram:bella.x")]
    assert kinds("a man called Mo") == [("name", "mo")]


def test_the_gazetteer_finds_known_nicknames() -> None:
    note = "Spud was there again."
    assert extract(note) == []
    assert kinds_with(note, Gazetteer.from_names(["Spud", "Darren Hirst"])) == [("name", "spud")]


def kinds_with(text: str, gazetteer: Gazetteer) -> list[tuple[str, str]]:
    return [(e.kind, e.normalised) for e in extract(text, gazetteer=gazetteer)]


def test_patterns_are_checked_at_load() -> None:
    with pytest.raises(ValueError, match="platforms"):
        parse_patterns({"platforms": []})
    with pytest.raises(ValueError, match="unknown keys"):
        parse_patterns({"platforms": {"snapchat": ["snap"]}, "typo": []})


def test_extract_command_prints_json_lines(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from shinealight.cli import app

    notes = tmp_path / "notes.txt"
    notes.write_text("Seen in KX55 ABC\n\nring 07700 900123\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(notes)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["line"] for line in lines] == [1, 2, 3]
    assert lines[0]["items"] == [
        {"kind": "vrm", "text": "KX55 ABC", "normalised": "KX55ABC", "start": 8, "end": 16}
    ]
    assert lines[1]["items"] == []
    assert lines[2]["items"][0]["normalised"] == "+447700900123"
