"""Short forms, lone names, addresses, term frequencies and the weak-mention rule."""

from __future__ import annotations

from typing import Any

import pytest
from tests.core.linkage.test_person_model import mention as base_mention

from shinealight.core.linkage import (
    DEFAULT_PERSON_MODEL,
    CandidateIndex,
    DuckDBEngine,
    IncrementalResolver,
    PersonModel,
    address_parts,
    cluster_pairs,
    first_name_family,
    person_rows,
    predict_pairs,
    resolve_people,
    term_frequency_tables,
)

LINK = DEFAULT_PERSON_MODEL.thresholds.link
REVIEW = DEFAULT_PERSON_MODEL.thresholds.review


def mention(mention_id: str, name: str, dob: str = "", **extra: Any) -> dict[str, Any]:
    """`test_person_model.mention`, a man by default, with an address, an area and a date."""
    extra.setdefault("gender", "male")
    fields = {"address": extra.pop("address", ""), "area": extra.pop("area", "rotherham")}
    recorded_at = extra.pop("recorded_at", "2010-01-01T00:00:00Z")
    return {**base_mention(mention_id, name, dob, **extra), **fields, "recorded_at": recorded_at}


def weight(
    a: dict[str, Any], b: dict[str, Any], model: PersonModel = DEFAULT_PERSON_MODEL
) -> float:
    left, right = person_rows([a, b])
    return model.score_pair(left, right)[2]


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("ash", "ashraf"),
        ("mo", "mohammed"),
        ("mo", "muhammad"),
        ("katie", "katherine"),
        ("kasia", "katarzyna"),
        ("kully", "kuldeep"),
        ("liv", "olivia"),
    ],
)
def test_british_short_forms_are_in_the_family(short: str, full: str) -> None:
    assert set(first_name_family(short)) & set(first_name_family(full))


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("Ash Khan", "Ashraf Khan"),
        ("Mo Rahman", "Mohammed Rahman"),
        ("Kasia Nowak", "Katarzyna Nowak"),
    ],
)
def test_a_short_form_with_the_same_date_of_birth_links(short: str, full: str) -> None:
    a = mention("a/1/p1", short, "1990-04-12")
    b = mention("b/2/p1", full, "1990-04-12")
    assert weight(a, b) >= LINK


def test_forename_and_surname_written_the_other_way_round_link() -> None:
    a = mention("a/1/p1", "Khan Ashraf", "1990-04-12", postcode="")
    b = mention("b/2/p1", "Ashraf Khan", "1990-04-12", postcode="")
    rows = person_rows([a, b])
    # Found by the swapped-names rule on both paths, and linked.
    index = CandidateIndex(DEFAULT_PERSON_MODEL)
    index.add(rows[0])
    assert index.candidates(rows[1]) == ["a/1/p1"]
    assert weight(a, b) >= LINK


def test_a_typo_in_the_surname_still_links() -> None:
    a = mention("a/1/p1", "Poppy Brpok", "1977-09-06", postcode="")
    b = mention("b/2/p1", "Poppy Brook", "1977-09-06")
    assert weight(a, b) >= LINK


def test_stated_years_of_birth_far_apart_weigh_heavily_against() -> None:
    """A mother and daughter of one name at one address: the dates say two people.

    The m of this level is fixed (not estimated), so the weight holds whatever the data.
    """
    address = "12 Forge Rise, Brackenfield"
    mother = mention("a/1/p1", "Jing Saleh", "1985-06-24", gender="female", address=address)
    daughter = mention("b/2/p1", "Jing Saleh", "2009-06-04", gender="female", address=address)
    rows = person_rows([mother, daughter])
    levels = DEFAULT_PERSON_MODEL.score_pair(*rows)[0]
    dob = {c.comparison: c for c in DEFAULT_PERSON_MODEL.explain(levels)}["date_of_birth"]
    assert dob.level == "years more than 5 apart" and dob.weight < -8
    twin = mention("b/2/p1", "Jing Saleh", "1985-06-24", gender="female", address=address)
    assert weight(mother, daughter) < weight(mother, twin) - 18


def test_a_same_named_child_with_another_date_of_birth_does_not_link() -> None:
    a = mention("a/1/p1", "Jack Smith", "2005-03-14", postcode="S60 2XY")
    b = mention("b/2/p1", "Jack Smith", "2007-09-30", postcode="S65 1AB")
    assert weight(a, b) < LINK


def test_a_lone_nickname_is_compared_with_the_full_name_of_that_age() -> None:
    """'Ash, about 28' has no surname or date: the lone-name rule finds Ashraf Khan."""
    full = mention("a/1/p1", "Ashraf Khan", "1990-04-12", recorded_at="2018-05-01")
    lone = mention(
        "b/2/p1", "Ash", age_estimate=26, postcode="", recorded_at="2018-06-01T00:00:00Z"
    )
    other = mention("c/3/p1", "Ashraf Begum", "1960-01-01", recorded_at="2018-05-01")
    rows = person_rows([full, lone, other])
    index = CandidateIndex(DEFAULT_PERSON_MODEL)
    index.add(rows[0])
    index.add(rows[2])
    # Thirty years apart: not a candidate. Two years apart: a candidate.
    assert index.candidates(rows[1]) == ["a/1/p1"]
    # Splink's exploding rules find the same pair, once.
    pairs = list(predict_pairs(rows, DEFAULT_PERSON_MODEL, DuckDBEngine(), min_weight=-50))
    lone_pairs = [(p.left, p.right) for p in pairs if "b/2/p1" in (p.left, p.right)]
    assert lone_pairs == [("a/1/p1", "b/2/p1")]


def test_a_lone_name_never_bridges_two_named_people() -> None:
    clusters = cluster_pairs(
        ["ben-smith", "ben", "ben-jones"],
        [("ben-smith", "ben", 9.0), ("ben", "ben-jones", 8.0)],
        weak=["ben"],
    )
    assert clusters.find("ben") == clusters.find("ben-smith")
    assert clusters.find("ben-jones") != clusters.find("ben-smith")
    # Two lone mentions may join each other, and then one named person.
    lone = cluster_pairs(
        ["a", "b", "named"], [("a", "b", 9.0), ("b", "named", 8.0)], weak=["a", "b"]
    )
    assert len(set(lone.assignment().values())) == 1


def test_the_incremental_path_keeps_the_same_rule() -> None:
    rows = person_rows(
        [
            mention("a/1/p1", "Ben Smith", "2004-02-02"),
            mention("b/2/p1", "Ben Jones", "2004-03-03", postcode="S60 2XY"),
        ]
    )
    resolver = IncrementalResolver(DEFAULT_PERSON_MODEL)
    resolver.load(rows, {"a/1/p1": "E1", "b/2/p1": "E2"})
    # A lone "Ben" that (with a generous model) links to both joins one of them only.
    generous = DEFAULT_PERSON_MODEL.with_thresholds(link=-100.0, review=-100.0)
    resolver.model = generous
    resolver.index.model = generous
    lone = person_rows([mention("c/3/p1", "Ben", age_estimate=6)])[0]
    placement = resolver.place(lone)
    assert len(placement.joined) == 1
    groups = resolver.assignment()
    assert groups["a/1/p1"] != groups["b/2/p1"]


def test_address_parts() -> None:
    assert address_parts("14a Forge Rise, Brackenfield") == ("14a", "forge rise", "brackenfield")
    assert address_parts("Flat 3, 14 Forge Rise, Brackenfield")[:2] == ("14", "forge rise")
    assert address_parts("") == (None, None, None)


def test_same_address_counts_once_with_its_postcode() -> None:
    """Address and postcode are one comparison: the same home is not counted twice."""
    home = "14 Forge Rise, Brackenfield"
    a = mention("a/1/p1", "Chloe Smith", "1994-11-02", address=home, gender="female")
    b = mention("b/2/p1", "Chloe Smith", "1994-11-02", address=home, gender="female")
    c = mention("c/3/p1", "Chloe Smith", "1994-11-02", gender="female")
    rows = person_rows([a, b, c])
    with_address = DEFAULT_PERSON_MODEL.explain(
        DEFAULT_PERSON_MODEL.score_pair(rows[0], rows[1])[0]
    )
    postcode_only = DEFAULT_PERSON_MODEL.explain(
        DEFAULT_PERSON_MODEL.score_pair(rows[0], rows[2])[0]
    )
    assert [c.comparison for c in with_address].count("home") == 1
    home_levels = {c.level for c in (*with_address, *postcode_only) if c.comparison == "home"}
    assert home_levels == {"same house number and street", "same postcode"}


def test_a_rare_shared_surname_weighs_more_than_a_common_one() -> None:
    people = [
        mention(f"x/{i}/p1", f"Sam Smith{'' if i % 10 else 'ers'}", postcode="") for i in range(40)
    ]
    rows = person_rows(people)
    model = DEFAULT_PERSON_MODEL.with_term_frequencies(term_frequency_tables(rows))
    smith = weight(mention("a/1/p1", "Amy Smith"), mention("b/2/p1", "Amy Smith"), model)
    rare = weight(mention("a/1/p1", "Amy Smithers"), mention("b/2/p1", "Amy Smithers"), model)
    assert rare > smith
    # A value the model never saw twice is neither rarer nor commoner than average.
    unseen = weight(mention("a/1/p1", "Amy Zyx"), mention("b/2/p1", "Amy Zyx"), model)
    assert unseen == weight(mention("a/1/p1", "Amy Zyx"), mention("b/2/p1", "Amy Zyx"))


def test_python_and_splink_give_the_same_weights_with_term_frequencies(
    default_world: dict[str, Any],
) -> None:
    rows = person_rows(default_world["mentions"][:3000])
    model = DEFAULT_PERSON_MODEL.with_term_frequencies(term_frequency_tables(rows))
    by_id = {r["unique_id"]: r for r in rows}
    pairs = list(predict_pairs(rows, model, DuckDBEngine(), min_weight=-10))
    assert any(any(p.adjustments) for p in pairs)
    for pair in pairs:
        levels, adjustments, score = model.score_pair(by_id[pair.left], by_id[pair.right])
        assert levels == pair.levels
        assert score == pytest.approx(pair.weight, abs=1e-6)


def test_model_round_trip_keeps_term_frequencies() -> None:
    rows = person_rows([mention(f"x/{i}/p1", "Sam Smith") for i in range(3)])
    model = DEFAULT_PERSON_MODEL.with_term_frequencies(term_frequency_tables(rows))
    again = PersonModel.from_dict(model.as_dict(term_frequencies=True))
    assert again.term_frequencies == model.term_frequencies
    # What the API and reports show holds no names: only how many values each table has.
    shown = model.as_dict()
    assert "term_frequencies" not in shown and "smith" not in str(shown)
    assert shown["term_frequency_values"]["surname"] == 1
    with pytest.raises(ValueError):
        PersonModel.from_dict({**model.as_dict(), "format": 1})


def test_batch_resolution_with_term_frequencies_runs() -> None:
    rows = person_rows(
        [
            mention("a/1/p1", "Katie Smith", "1994-11-02", gender="female"),
            mention("b/2/p1", "Katherine Smith", "1994-11-02", gender="female"),
            mention("c/3/p1", "Kate Smith", "1994-02-11", gender="female"),
        ]
    )
    # Frequencies from a partnership of a hundred other people (and these three).
    others = person_rows(
        [
            mention(f"x/{i}/p1", f"Name{i % 30} Surname{i % 40}", postcode=f"S{i % 50} 1AB")
            for i in range(100)
        ]
    )
    model = DEFAULT_PERSON_MODEL.with_term_frequencies(term_frequency_tables([*rows, *others]))
    a = resolve_people(rows, model, DuckDBEngine()).assignment
    assert a["a/1/p1"] == a["b/2/p1"] == a["c/3/p1"]


def test_a_lone_name_said_a_thousand_times_is_compared_within_a_budget() -> None:
    from shinealight.core.linkage.internals.comparisons import (
        LONE_PROBE,
        cap_lone_probes,
        probe_keys_of,
    )

    ashes = [
        mention(f"a/{i}/p1", "Ash", age_estimate=20 + i % 20, recorded_at="2018-06-01T00:00:00Z")
        for i in range(1_000)
    ]
    rows = person_rows(ashes)
    capped = cap_lone_probes(rows, budget=120)
    stored: dict[str, int] = {}
    for row in rows:
        stored[row["bk_name_year"]] = stored.get(row["bk_name_year"], 0) + 1
    for before, after in zip(rows, capped, strict=True):
        kept = [p for p in after[LONE_PROBE] if p != "~"]
        assert sum(stored.get(p, 0) for p in kept) <= 120
        # The nearest years are kept: the mention's own year first.
        assert not kept or kept[0].endswith(before["bk_name_year"].split("|")[1])
        assert set(kept) <= set(before[LONE_PROBE])
    # A small partnership is left as it was.
    few = person_rows(ashes[:10])
    assert cap_lone_probes(few) == few
    assert probe_keys_of(few[0])


def test_scoring_in_slices_finds_the_pairs_of_one_pass(default_world: dict[str, Any]) -> None:
    rows = person_rows(default_world["mentions"][:3000])
    whole = {
        (p.left, p.right, p.levels)
        for p in predict_pairs(rows, DEFAULT_PERSON_MODEL, DuckDBEngine())
    }
    said: list[str] = []
    sliced = list(
        predict_pairs(rows, DEFAULT_PERSON_MODEL, DuckDBEngine(), chunks=3, progress=said.append)
    )
    assert whole and {(p.left, p.right, p.levels) for p in sliced} == whole
    assert len(sliced) == len(whole)
    assert said == [f"scoring pairs: slice {i} of 3" for i in (1, 2, 3)]


def test_identical_mentions_are_scored_once_and_grouped_the_same(
    default_world: dict[str, Any],
) -> None:
    from shinealight.core.linkage.internals.resolve import fold_identical

    mentions = default_world["mentions"][:1500]
    # Every mention recorded three times, word for word, under new mention ids.
    copies = [{**m, "mention_id": f"{m['mention_id']}#{n}"} for m in mentions for n in (1, 2)]
    rows = person_rows([*mentions, *copies])
    distinct, folded = fold_identical(rows, DEFAULT_PERSON_MODEL)
    strong = [r for r in rows if r["surname"] is not None]
    assert folded and len(distinct) + len(folded) == len(rows)
    # Each named mention's two copies at least (the world repeats some mentions itself).
    assert len(folded) >= 2 * len([r for r in strong if "#" not in r["unique_id"]])
    assert all(p.weight >= LINK for p in folded)
    # Folding changes nothing a reviewer or an analyst would see: the groups are those
    # of scoring every pair.
    folded_groups = resolve_people(rows, DEFAULT_PERSON_MODEL, DuckDBEngine()).groups()
    unfolded = resolve_people(rows, DEFAULT_PERSON_MODEL, DuckDBEngine(), fold=False)
    unfolded_groups = unfolded.groups()
    assert sorted(folded_groups.values()) == sorted(unfolded_groups.values())
    # A reviewer's decision keeps its mentions out of the fold.
    kept = {rows[0]["unique_id"], f"{rows[0]['unique_id']}#1"}
    distinct, _ = fold_identical(rows, DEFAULT_PERSON_MODEL, keep=kept)
    assert kept <= {r["unique_id"] for r in distinct}


def test_a_key_shared_by_too_many_mentions_pairs_none_of_them(
    default_world: dict[str, Any],
) -> None:
    from shinealight.core.linkage.internals.comparisons import cap_common_keys
    from shinealight.core.linkage.internals.resolve import fold_identical

    # Once identical mentions are folded, the default world has no key that common:
    # batch linkage there is unchanged.
    rows, _ = fold_identical(person_rows(default_world["mentions"]), DEFAULT_PERSON_MODEL)
    assert cap_common_keys(rows)[1] == {}
    # Forty Clarkes born in 2008, each with their own date of birth and postcode.
    names = "Amy Beth Cara Dina Esme Fran Gail Hope Iris Jade Kira Lola Maya Nell Opal Rosa"
    clarkes = person_rows(
        [
            mention(
                f"c/{i}/p1",
                f"{name} Clarke",
                f"2008-{1 + i % 12:02d}-{1 + i:02d}",
                postcode=f"S{i + 1} 1AB",
            )
            for i, name in enumerate(names.split())
        ]
    )
    capped, blanked = cap_common_keys(clarkes, limit=10)
    assert blanked == {"bk_surname_year": 1}
    assert all(r["bk_surname_year"] is None for r in capped)
    assert [r["bk_first_dob"] for r in capped] == [r["bk_first_dob"] for r in clarkes]
    assert clarkes[0]["bk_surname_year"] is not None  # the rows given are left alone
