"""Page speed: a child's profile with 500 chronology entries, and search, on a big partnership.

    .venv/bin/python bench/pages_bench.py                      # 100,000 records, SQLite
    .venv/bin/python bench/pages_bench.py --n 1000000 --backends postgres,sqlite

Loads N synthetic records (`core.records.synthetic`) plus 500 about one child spread over
five agencies, links them with a batch run, then times, in a fresh process per database,
the child's profile page and a mix of searches through Django's test client (server time:
middleware, views, queries and templates, no network or browser), as an analyst (every
record) and as a council practitioner (need-to-know). Prints p50 and p95 and writes them
to docs/benchmarks.md. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _report import machine, write_section  # noqa: E402

CHILD_ENTRIES = 500
SEARCHES = (
    "Tamsin Featherstonehaugh",  # the child, exactly
    "Tamsin Fetherstonhaugh",  # misspelt
    "Katie Smiht",  # a common name, misspelt
    "Jones",  # a surname on its own: a large candidate set
    "Ash",  # a nickname
    "KX55 ABC",  # a plate
    "KX5",  # part of a plate
    "07700 900123",  # a phone
    "S65 1AB",  # a postcode
)

CHILD_PROCESS = r"""
import json, os, statistics, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinealight.web.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import connection
from django.test import Client
from shinealight.accounts.models import User
from shinealight.people.models import EntityMembership
from shinealight.people.profiles import chronology
from shinealight.people.services import linkage_run_batch
from shinealight.people.views import CHRONOLOGY_PAGE
from shinealight.records.models import Agency
from shinealight.records.services import records_import_file

path, repeats, searches = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
# "batch": link everything with a batch run after the import; "import": the records were
# imported into a partnership already linked, and linked on import (incremental path).
linking = sys.argv[4]

def say(text):
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

started = time.perf_counter()
records_import_file(path=path)
loaded = time.perf_counter() - started
say(f"imported in {loaded:.0f} s; linking")
team, _ = Agency.objects.get_or_create(code="partnership-cse", defaults={"agency_type": "other"})
analyst, _ = User.objects.get_or_create(
    username="bench-analyst", defaults={"role": "analyst", "agency": team}
)
started = time.perf_counter()
if linking == "batch":
    linkage_run_batch(acting_user=analyst, engine="duckdb", train=False, progress=say)
linked = time.perf_counter() - started
say(f"linked in {linked:.0f} s")
try:
    from shinealight.access.services import child_knowledge_refresh
    from django.db import transaction
    with transaction.atomic():
        child_knowledge_refresh()
except ImportError:
    pass
practitioner, _ = User.objects.get_or_create(
    username="bench-practitioner",
    defaults={"role": "practitioner", "agency": Agency.objects.get(code="rmbc-csc")},
)
child = EntityMembership.objects.select_related("entity").get(
    kind="person", mention_id="rmbc-csc/TF-00002/p1"
).entity
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

def timed(client, url, params=None):
    started = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, response

def summary(values):
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return {"p50": statistics.median(values), "p95": p95, "n": len(values)}

from shinealight.records.models import Record
out = {
    "loaded_s": loaded, "linked_s": linked, "vendor": connection.vendor,
    "records": Record.objects.count(),
}
for role, user in (("analyst", analyst), ("practitioner", practitioner)):
    client = Client(HTTP_HOST="localhost")  # a host the settings allow
    client.force_login(user)
    url = f"/people/{child.entity_id}"
    timed(client, url)  # warm caches and templates once
    say(f"{role}: timing the profile")
    profile = [timed(client, url)[0] for _ in range(repeats)]
    # Counted by a wrapper: each request resets Django's own query log as it starts.
    queries = []
    with connection.execute_wrapper(lambda run, sql, *rest: queries.append(sql) or run(sql, *rest)):
        client.get(url)
    entries = chronology(user, child).count()
    shown = min(entries, CHRONOLOGY_PAGE)
    say(f"{role}: timing search")
    search_times, per_query = [], {}
    for q in searches:
        timed(client, "/search", {"q": q})
        times = [timed(client, "/search", {"q": q})[0] for _ in range(max(3, repeats // 4))]
        per_query[q] = summary(times)["p50"]
        search_times += times
    say(f"{role}: timing the PDF")
    pdf = [timed(client, url + "/chronology.pdf")[0] for _ in range(3)]
    out[role] = {
        "profile": summary(profile), "entries": entries, "shown": shown,
        "profile_queries": len(queries), "search": summary(search_times),
        "search_by_query": per_query, "pdf": summary(pdf),
    }
print(json.dumps(out))
"""


def generate(path: Path, n: int) -> None:
    from faker.providers.person.en_GB import Provider as PersonNames

    from shinealight.core.records.synthetic import _AGENCIES, synthetic_records

    # The synthetic feed has 90 names; a partnership has tens of thousands, and linkage
    # blocks (and search candidate sets) are only realistic with realistic variety.
    rng = random.Random(8)
    firsts, lasts = list(PersonNames.first_names_female), list(PersonNames.last_names)
    men = list(PersonNames.first_names_male)
    with gzip.open(path, "wt", compresslevel=1) as f:
        for i, record in enumerate(synthetic_records(n)):
            child = record["persons"][0]
            child["name"] = f"{rng.choice(firsts)} {rng.choice(lasts)}"
            child["dob"] = (
                f"{rng.randint(1995, 2012)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            )
            unit = "".join(rng.choices("ABDEFGHJLNPQRSTUWXYZ", k=2))
            child["postcode"] = f"S{rng.randint(60, 81)} {rng.randint(1, 9)}{unit}"
            child["phones"] = [f"07700 900{rng.randint(0, 999):03d}"] if i % 50 == 0 else []
            suspect = record["persons"][1]
            suspect["name"] = f"{rng.choice(men)} {rng.choice(lasts)}"
            record["summary"] = f"{child['name']} seen near the takeaway with an older male."
            f.write(json.dumps(record) + "\n")
            if i % 100_000 == 0 and i:
                print(f"  generated {i:,}", file=sys.stderr)
        # One child known to every agency: 500 entries over ten years.
        for i in range(CHILD_ENTRIES):
            agency, agency_type, types = _AGENCIES[i % len(_AGENCIES)]
            # Sexual-health records are sealed to their service: leave them out so that
            # every one of the 500 entries shows to the analyst.
            types = tuple(t for t in types if t != "sexual_health")
            year, month, day = 2010 + i // 50, 1 + i % 12, 1 + i % 28
            f.write(
                json.dumps(
                    {
                        "agency": agency,
                        "agency_type": agency_type,
                        "record_id": f"TF-{i + 1:05d}",
                        "type": types[i % len(types)],
                        "recorded_at": f"{year}-{month:02d}-{day:02d}T10:00:00Z",
                        "summary": f"Entry {i + 1}: Tamsin seen near the takeaway.",
                        "grading": {"source": "2", "intelligence": "B", "handling": "P"},
                        "persons": [
                            {
                                "ref": "p1",
                                "role": "subject",
                                "name": "Tamsin Featherstonehaugh",
                                "dob": "2003-06-07",
                                "gender": "female",
                                "postcode": "S65 1AB",
                            }
                        ],
                    }
                )
                + "\n"
            )


def run(
    backend: str, path: Path, workdir: Path, repeats: int, database: str | None = None
) -> dict[str, object]:
    # The test client signs in without an authenticator code: codes are off in the bench.
    env = dict(
        os.environ,
        SHINEALIGHT_HOME=str(workdir),
        SHINEALIGHT_ANALYSE_ON_IMPORT="0" if database is None else "1",
        SHINEALIGHT_MFA_REQUIRED="0",
    )
    linking = "batch" if database is None else "import"
    command = [
        *(sys.executable, "-c", CHILD_PROCESS, str(path), str(repeats)),
        *(json.dumps(SEARCHES), linking),
    ]
    if database is not None:
        env["DATABASE_URL"] = database
    elif backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        env.pop("DATABASE_URL", None)
        command = [str(ROOT / "scripts" / "with-postgres"), *command]
    # Progress goes straight to this terminal; the figures come back on stdout.
    out = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic records besides hers")
    parser.add_argument("--backends", default="sqlite", help="sqlite, postgres or both")
    parser.add_argument("--repeats", type=int, default=20, help="timed requests per page")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs alone")
    parser.add_argument(
        "--database",
        help="a partnership already loaded and linked (DATABASE_URL, e.g. the analyse bench's "
        "--workdir database): only her 500 records are imported, linked on import",
    )
    args = parser.parse_args()
    if args.database:
        args.n, args.backends = 0, args.database.split(":", 1)[0]

    rows = []
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="shinealight-bench-") as tmp:
        path = Path(tmp) / "records.jsonl.gz"
        print(f"generating {args.n:,} records and {CHILD_ENTRIES} about a child", file=sys.stderr)
        generate(path, args.n)
        for backend in args.backends.split(","):
            workdir = Path(tmp) / backend
            workdir.mkdir()
            print(f"loading and linking in {backend}…", file=sys.stderr)
            result = run(backend, path, workdir, args.repeats, args.database)
            results.append(result)
            print(
                f"{backend}: loaded in {result['loaded_s']:.0f} s, "
                f"linked in {result['linked_s']:.0f} s"
            )
            for role in ("analyst", "practitioner"):
                r = result[role]
                assert isinstance(r, dict)
                print(
                    f"  {role:12} profile ({r['entries']} entries, {r['shown']} on the page, "
                    f"{r['profile_queries']} queries) p50 {r['profile']['p50']:.0f} ms, "
                    f"p95 {r['profile']['p95']:.0f} ms; search p50 {r['search']['p50']:.0f} ms, "
                    f"p95 {r['search']['p95']:.0f} ms; PDF p50 {r['pdf']['p50']:.0f} ms"
                )
                for q, ms in r["search_by_query"].items():
                    print(f"      {q!r:30} {ms:7.1f} ms")
                rows.append((backend, role, r))

    table = [
        "| database | role | profile p50 | profile p95 | queries | search p50 | search p95 "
        "| PDF (all entries) p50 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    table += [
        f"| {b} | {role} | {r['profile']['p50']:.0f} ms | {r['profile']['p95']:.0f} ms "
        f"| {r['profile_queries']} | {r['search']['p50']:.0f} ms | {r['search']['p95']:.0f} ms "
        f"| {r['pdf']['p50']:.0f} ms |"
        for b, role, r in rows
    ]
    records = max((int(str(r.get("records", 0))) for r in results), default=0)
    if args.database:
        command = (
            f"Command: `.venv/bin/python bench/pages_bench.py --database {args.database}` "
            f"(a simulated partnership of {records:,} records, loaded and linked by "
            f"`bench/analyse_bench.py`, plus {CHILD_ENTRIES} records about one child across "
            "five agencies, imported into it with linkage on import)."
        )
    else:
        command = (
            f"Command: `.venv/bin/python bench/pages_bench.py --n {args.n} "
            f"--backends {args.backends}` ({args.n:,} synthetic records plus {CHILD_ENTRIES} "
            "about one child across five agencies, imported then linked by a batch run; "
            "PostgreSQL 15 with default settings from scripts/with-postgres)."
        )
    body = "\n".join(
        [
            f"Machine: {machine()}.",
            command,
            "Server time through Django's test client (middleware, selectors, audit writes, "
            f"templates), {args.repeats} requests per page. The profile shows the first 100 "
            "chronology entries of 500 (paginated); the PDF prints all 500. Search mixes "
            f"{len(SEARCHES)} queries: exact and misspelt names, a lone surname, a nickname, "
            "a plate and part of one, a phone and a postcode.",
            "Goal (issue 8): at 1,000,000 records, the child profile under 300 ms of server "
            "time and search under 500 ms.",
            "",
            *table,
        ]
    )
    if not args.no_write:
        write_section(f"Pages ({records:,} records)", body)


if __name__ == "__main__":
    main()
