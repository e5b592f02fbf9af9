"""Running the rules straight from agency records, with no database.

Used for the siloed baseline (each agency alone), for benchmarks and for tests; the
product's path goes through the record store (`shinealight.alerts.services`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from shinealight.core.alerts.config import RuleSet, load_rules
from shinealight.core.alerts.context import Context
from shinealight.core.alerts.detect import Detector
from shinealight.core.alerts.findings import Finding
from shinealight.core.network import (
    LinkFact,
    NetworkGraph,
    ObjectFact,
    PersonFact,
    RecordFact,
    facts_from_rows,
)
from shinealight.core.records import AgencyRecord, flatten


def graph_from_records(
    records: Iterable[AgencyRecord], person_entity: Callable[[str], str]
) -> NetworkGraph:
    """The network of the given records; a later version of a record replaces an earlier."""
    latest: dict[tuple[str, str], AgencyRecord] = {}
    for record in records:
        latest[(record.agency, record.record_id)] = record
    facts_r: list[RecordFact] = []
    facts_p: list[PersonFact] = []
    facts_o: list[ObjectFact] = []
    facts_l: list[LinkFact] = []
    for record in latest.values():
        flat = flatten(record)
        row = {
            "agency": record.agency,
            "agency_type": record.agency_type,
            "record_id": record.record_id,
            **flat.fields,
        }
        r, p, o, links = facts_from_rows(
            record=row,
            persons=flat.persons,
            vehicles=flat.vehicles,
            phones=flat.phones,
            online=flat.online,
            locations=flat.locations,
            links=flat.links,
            person_entity=person_entity,
        )
        facts_r.append(r)
        facts_p.extend(p)
        facts_o.extend(o)
        facts_l.extend(links)
    return NetworkGraph(facts_r, facts_p, facts_o, facts_l)


def findings_from_records(
    records: Iterable[AgencyRecord],
    person_entity: Callable[[str], str],
    rules: RuleSet | None = None,
) -> list[Finding]:
    """Every finding over the whole partnership's records."""
    ruleset = rules or load_rules()
    graph = graph_from_records(records, person_entity)
    return Detector(Context(graph, ruleset.definitions)).run(ruleset.rules)


def siloed_findings(
    records: Iterable[AgencyRecord],
    person_entity: Callable[[str], str],
    rules: RuleSet | None = None,
) -> list[Finding]:
    """The baseline: each agency runs the same rules over its own records only.

    Identity inside an agency is taken as given (the same resolver), which flatters the
    baseline: what it lacks is only the other agencies' fragments.
    """
    by_agency: dict[str, list[AgencyRecord]] = {}
    for record in records:
        by_agency.setdefault(record.agency, []).append(record)
    out: list[Finding] = []
    for agency in sorted(by_agency):
        for finding in findings_from_records(by_agency[agency], person_entity, rules):
            out.append(replace(finding, key=f"{agency}|{finding.key}"))
    return sorted(out, key=lambda f: (f.first_data_time, f.key))
