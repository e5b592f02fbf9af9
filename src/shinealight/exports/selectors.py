"""What an export may hold: the records a user may take out, and the graph or rows over them.

Whether the alert or the entity exists for the user is asked of the owning apps'
selectors (`alerts.selectors.alert_get`, `people.selectors.entity_get`): not found and
not allowed are the same `None`. What the export then holds is drawn only from
`Record.objects.exportable_by(user)` (visible, and a record under handling code C only for
its own agency), so a record outside that set adds no node, no edge, no label and no row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shinealight.alerts import selectors as alert_selectors
from shinealight.alerts.entities import resolver
from shinealight.alerts.models import Alert
from shinealight.alerts.network import CHUNK, _records_sharing, graph_for_records
from shinealight.core.exports import ChronologyRow, ExportGraph, graph_from_network
from shinealight.core.network import NetworkGraph
from shinealight.people import selectors as people_selectors
from shinealight.people.models import ResolvedEntity
from shinealight.records.models import PersonMention, Record

DEPTHS = (1, 2)


@dataclass(frozen=True)
class AlertExport:
    alert: Alert
    graph: ExportGraph


@dataclass(frozen=True)
class EntityExport:
    entity: ResolvedEntity
    graph: ExportGraph


def exportable_record_pks(user: Any, pks: Iterable[int]) -> set[int]:
    """Which of these records the user may export (in chunks: SQLite limits parameters)."""
    wanted = sorted(set(pks))
    out: set[int] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        out |= set(
            Record.objects.exportable_by(user).filter(pk__in=chunk).values_list("pk", flat=True)
        )
    return out


def alert_export_graph(*, user: Any, pk: int) -> AlertExport | None:
    """The alert's network over the evidence the user may export; None if not theirs to see.

    Nodes are everything those records mention (the alert's subjects and what and who was
    with them); a node the alert names carries its role there (`alert_role`).
    """
    alert = alert_selectors.alert_get(user=user, pk=pk)
    if alert is None:
        return None
    evidence = [e.record_id for e in alert.evidence.all()]
    network = graph_for_records(sorted(exportable_record_pks(user, evidence)), resolver())
    subjects = list(alert.subjects.all())
    graph = graph_from_network(
        network,
        # The stored title names people from every record; this one names nobody.
        title=f"Alert {alert.pk} ({alert.rule.replace('_', ' ')})",
        description="Evidence records you may export, and who and what they mention.",
        focus=[s.entity_id for s in subjects],
        roles={s.entity_id: s.role for s in subjects},
    )
    return AlertExport(alert=alert, graph=graph)


def entity_export_graph(*, user: Any, entity_id: str, depth: int = 1) -> EntityExport | None:
    """An entity's network to `depth` steps over records the user may export.

    Depth 1: everyone and everything in the entity's own records. Depth 2: also what is in
    the records of those neighbours (people mentioned in very many records, such as a
    children's home manager, are not followed: `alerts.network.HUB_RECORDS`).
    """
    if depth not in DEPTHS:
        raise ValueError(f"depth is one of {DEPTHS}")
    entity = people_selectors.entity_get(user, entity_id)
    if entity is None:
        return None
    mentions = people_selectors.entity_mentions(user, entity)
    mention_ids = set(mentions.values_list("mention_id", flat=True))
    seed = exportable_record_pks(user, mentions.values_list("record_id", flat=True))
    pks = seed
    if depth == 2 and seed:
        pks = seed | exportable_record_pks(user, _records_sharing(seed, resolver())[0])
    network = graph_for_records(sorted(pks), resolver())
    graph = graph_from_network(
        network,
        title=f"Network of {entity.entity_id} ({entity.kind}), depth {depth}",
        description="Records you may export, and who and what they mention.",
        focus=_nodes_holding(network, mention_ids),
    )
    return EntityExport(entity=entity, graph=graph)


def _nodes_holding(network: NetworkGraph, mention_ids: set[str]) -> set[str]:
    """The network's nodes for these mentions (the export's own entity)."""
    found = {
        entity
        for entity, facts in network.person_mentions.items()
        if any(f.mention_id in mention_ids for f in facts)
    }
    found |= {
        key.split("|", 1)[1]
        for key, facts in network.object_mentions.items()
        if any(f.mention_id in mention_ids for f in facts)
    }
    return found


def chronology_rows(
    *, user: Any, entity_id: str
) -> tuple[ResolvedEntity, list[ChronologyRow]] | None:
    """One row per record the user may export that mentions the entity, oldest first."""
    entity = people_selectors.entity_get(user, entity_id)
    if entity is None:
        return None
    memberships = list(
        people_selectors.entity_mentions(user, entity).values_list("mention_id", "record_id")
    )
    allowed = exportable_record_pks(user, (r for _, r in memberships))
    roles: dict[int, set[str]] = {}
    mention_record = {m: r for m, r in memberships if r in allowed}
    ids = sorted(mention_record)
    for start in range(0, len(ids), CHUNK):
        for mention, role in PersonMention.objects.filter(
            mention_id__in=ids[start : start + CHUNK]
        ).values_list("mention_id", "role"):
            roles.setdefault(mention_record[mention], set()).add(role)
    rows: list[ChronologyRow] = []
    pks = sorted(allowed)
    for start in range(0, len(pks), CHUNK):
        for record in Record.objects.filter(pk__in=pks[start : start + CHUNK]).select_related(
            "agency"
        ):
            rows.append(
                ChronologyRow(
                    when=record.occurred_at or record.recorded_at,
                    recorded_at=record.recorded_at,
                    agency=record.agency.code,
                    agency_type=record.agency.agency_type,
                    record_id=record.record_id,
                    event_type=record.event_type,
                    role=", ".join(sorted(r for r in roles.get(record.pk, ()) if r)),
                    grading=record.grading,
                    handling_conditions=record.handling_conditions,
                    indicators=tuple(record.indicators or ()),
                    summary=record.summary,
                )
            )
    rows.sort(key=lambda r: (r.when, r.recorded_at, r.agency, r.record_id))
    return entity, rows
