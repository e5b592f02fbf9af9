"""Writes for resolved entities: batch runs, incremental resolution, reviews, model versions.

Every state change takes `acting_user=` and writes its audit entry in the same
transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Count, Min, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from shinealight.audit.services import audit_log
from shinealight.core.linkage import (
    BLOCK_LIMIT,
    DEFAULT_PERSON_MODEL,
    FEATURE_COLUMNS,
    OBJECT_KINDS,
    IncrementalResolver,
    PersonModel,
    ScoredPair,
    add_blocking_keys,
    blocking_keys_of,
    candidate_plates,
    is_partial_vehicle_key,
    is_weak,
    make_engine,
    object_key,
    person_features,
    probe_keys_of,
    resolve_people,
    train_person_model,
)
from shinealight.people.models import (
    ID_PREFIX,
    BlockingKey,
    EntityEvent,
    EntityLink,
    EntityMembership,
    LinkageModelVersion,
    LinkageRun,
    ResolvedEntity,
    ReviewDecision,
    ReviewItem,
)
from shinealight.records.models import MENTION_MODELS, ImportBatch, PersonMention, RecordVersion
from shinealight.records.services import after_import

Progress = Callable[[str], None]

# An import bigger than this is not resolved mention by mention inside the import's
# transaction (it would hold the import open for minutes); it is queued for a batch run.
INCREMENTAL_LIMIT = 5_000
# Below this many person mentions, estimates from the data are too noisy to trust.
MIN_MENTIONS_TO_TRAIN = 2_000
# A young partnership's model grows with its data: while it holds no more person
# mentions than this, an import that finds the model estimated on less than half of
# today's mentions (or not estimated at all) re-estimates it and re-resolves everyone
# (a batch run inside the import) instead of resolving only the new mentions. Beyond
# this, `shinealight link` re-estimates, when its operator chooses.
AUTO_ESTIMATE_LIMIT = 30_000
_BULK = 2_000

_OBJECT_FIELDS: dict[str, tuple[str, ...]] = {
    "vehicle": ("mention_id", "record_id", "vrm", "vrm_normalised", "partial"),
    "phone": ("mention_id", "record_id", "number", "e164"),
    "online": ("mention_id", "record_id", "platform", "handle", "handle_normalised"),
    "location": ("mention_id", "record_id", "name", "address", "postcode_normalised"),
}


class ReviewError(Exception):
    """A review decision that cannot be made (closed item, unknown decision…)."""


# --- model versions -------------------------------------------------------------------


def current_model() -> tuple[LinkageModelVersion | None, PersonModel]:
    """Return the newest stored person model, or the default when none is stored.

    A stored model written for other comparisons (an older model format) cannot be
    applied: the default is used until `shinealight link` estimates a new one.
    """
    stored = LinkageModelVersion.objects.order_by("-version").first()
    if stored is None:
        return None, DEFAULT_PERSON_MODEL
    try:
        return stored, PersonModel.from_dict(stored.parameters)
    except (ValueError, KeyError, TypeError):
        return None, DEFAULT_PERSON_MODEL


def linkage_model_store(
    *, acting_user: Any, model: PersonModel, engine: str = ""
) -> LinkageModelVersion:
    """Store a person model as the next version."""
    with transaction.atomic():
        last = LinkageModelVersion.objects.select_for_update().order_by("-version").first()
        version = LinkageModelVersion.objects.create(
            version=(last.version + 1) if last else 1,
            parameters=model.as_dict(term_frequencies=True),
            source=model.source,
            trained_on=model.trained_on,
            engine=engine,
            created_by=getattr(acting_user, "username", "") or "system",
        )
        audit_log(
            acting_user=acting_user,
            action="linkage_model_store",
            object_type="linkage_model",
            object_ids=[version.version],
            detail={"source": model.source, "trained_on": model.trained_on, "engine": engine},
        )
    return version


def _model_version_for_use(acting_user: Any) -> tuple[LinkageModelVersion, PersonModel]:
    stored, model = current_model()
    if stored is None:
        stored = linkage_model_store(acting_user=acting_user, model=model)
    return stored, model


# --- decisions ------------------------------------------------------------------------


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def active_decisions() -> dict[tuple[str, str], str]:
    """Return every reviewer decision still in force, by (left, right) mention pair."""
    decisions: dict[tuple[str, str], str] = {}
    for left, right, decision in (
        ReviewDecision.objects.filter(revoked_at__isnull=True)
        .order_by("decided_at", "pk")
        .values_list("mention_left", "mention_right", "decision")
    ):
        decisions[_pair(left, right)] = decision  # the latest decision wins
    return decisions


# --- reading mentions -----------------------------------------------------------------


def _person_values(queryset: Any) -> Iterator[dict[str, Any]]:
    # Only the analytical fields: ethnicity must never reach matching. From the record:
    # its date (an age becomes a year of birth), its area and its agency.
    fields = [
        *PersonMention.ANALYTICAL_FIELDS,
        "record__recorded_at",
        "record__area",
        "record__agency__code",
    ]
    ordered = queryset.values(*fields).order_by("record__recorded_at", "pk")
    for values in ordered.iterator(chunk_size=_BULK):
        values["recorded_at"] = values.pop("record__recorded_at")
        values["area"] = values.pop("record__area")
        values["agency"] = values.pop("record__agency__code")
        yield values


def _feature_row(values: Mapping[str, Any]) -> dict[str, Any]:
    return add_blocking_keys(person_features(values))


def _label(rows: Iterable[Mapping[str, Any]]) -> str:
    names = Counter(" ".join(x for x in (r.get("first_name"), r.get("surname")) if x) for r in rows)
    names.pop("", None)
    return names.most_common(1)[0][0].title() if names else ""


# --- entities with stable ids ---------------------------------------------------------


def _new_entity(kind: str, *, key: str = "", label: str = "") -> ResolvedEntity:
    entity = ResolvedEntity.objects.create(kind=kind, key=key, label=label, entity_id="")
    entity.entity_id = f"{ID_PREFIX[kind]}-{entity.pk:07d}"
    entity.save(update_fields=["entity_id"])
    return entity


def _new_entities(kind: str, keys_and_labels: list[tuple[str, str]]) -> list[int]:
    """`_new_entity` for many groups at once: one INSERT a slice, then one UPDATE.

    Each entity is inserted under a placeholder id (unique within this transaction) and
    given its public id, made from its key, by one UPDATE in SQL: a `bulk_update` of the
    ids cost a CASE of 2,000 branches per row.
    """
    made: list[int] = []
    for start in range(0, len(keys_and_labels), _BULK):
        chunk = keys_and_labels[start : start + _BULK]
        entities = ResolvedEntity.objects.bulk_create(
            ResolvedEntity(kind=kind, key=key, label=label, entity_id=f"~{start + i}")
            for i, (key, label) in enumerate(chunk)
        )
        made.extend(entity.pk for entity in entities)
    if made:
        placeholders = ResolvedEntity.objects.filter(kind=kind, entity_id__startswith="~")
        number = Cast("pk", output_field=CharField())
        prefix = Value(f"{ID_PREFIX[kind]}-")
        # f"{pk:07d}": seven digits, more when the key needs them.
        placeholders.filter(pk__lt=10**7).update(
            entity_id=Concat(prefix, LPad(number, 7, Value("0")))
        )
        placeholders.filter(pk__gte=10**7).update(entity_id=Concat(prefix, number))
    return made


def _apply_groups(
    *,
    kind: str,
    groups: list[list[str]],
    record_of: Mapping[str, int],
    run: LinkageRun,
    features: Mapping[str, dict[str, Any]] | None = None,
    keys: Mapping[int, str] | None = None,
) -> dict[str, int]:
    """Make the stored entities of `kind` match `groups`, keeping ids stable.

    Each group keeps the id of the existing entity most of its mentions already
    belong to (larger groups choose first); an entity left with no mentions is
    retired as merged into the group that took them; one whose mentions went to
    several groups is recorded as split.
    """
    current = dict(
        EntityMembership.objects.filter(kind=kind).values_list("mention_id", "entity_id")
    )
    claimed: set[int] = set()
    entity_of_group: dict[int, int] = {}
    unclaimed: list[int] = []
    order = sorted(range(len(groups)), key=lambda i: (-len(groups[i]), groups[i][0]))
    for index in order:
        votes = Counter(current[m] for m in groups[index] if m in current)
        choice = next(
            (
                e
                for e, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
                if e not in claimed
            ),
            None,
        )
        if choice is None:
            unclaimed.append(index)
            continue
        claimed.add(choice)
        entity_of_group[index] = choice
    new = _new_entities(
        kind,
        [
            (
                keys.get(index, "") if keys else "",
                _label(features[m] for m in groups[index]) if features else "",
            )
            for index in unclaimed
        ],
    )
    entity_of_group.update(zip(unclaimed, new, strict=True))
    claimed.update(new)
    target = {m: entity_of_group[i] for i, group in enumerate(groups) for m in group}
    # Where did each old entity's mentions go?
    went: dict[int, set[int]] = {}
    for mention, old in current.items():
        if mention in target:
            went.setdefault(old, set()).add(target[mention])
    # Every entity of the kind, read once: a list of their keys would pass SQLite's limit
    # of parameters in a large partnership.
    public = (
        dict(ResolvedEntity.objects.filter(kind=kind).values_list("pk", "entity_id"))
        if went
        else {}
    )
    for old, news in went.items():
        survivors = news - {old}
        if old not in claimed and len(news) == 1:
            (into,) = news
            ResolvedEntity.objects.filter(pk=old).update(active=False, merged_into_id=into)
            EntityEvent.objects.create(
                kind=EntityEvent.Kind.MERGE, entity_id=into, others=[public[old]], run=run
            )
        elif len(news) > 1 or (old not in claimed and survivors):
            if old not in claimed:
                ResolvedEntity.objects.filter(pk=old).update(active=False)
            EntityEvent.objects.create(
                kind=EntityEvent.Kind.SPLIT,
                entity_id=old,
                others=sorted(public[n] for n in survivors),
                run=run,
            )
    # Memberships: move the changed ones, add the new ones. The stored ones are read as
    # values a slice at a time, and only those that change become model instances.
    existing: set[str] = set()
    changed: list[EntityMembership] = []
    stored = EntityMembership.objects.filter(kind=kind).values_list(
        "pk", "mention_id", "entity_id", "features"
    )
    for pk, mention, entity, had in stored.iterator(chunk_size=_BULK):
        if mention not in target:
            continue
        existing.add(mention)
        row = features.get(mention) if features else None
        if entity != target[mention] or (row is not None and had != row):
            changed.append(
                EntityMembership(
                    pk=pk, entity_id=target[mention], features=had if row is None else row
                )
            )

    def created() -> Iterator[EntityMembership]:
        for mention, entity_pk in target.items():
            if mention not in existing:
                yield EntityMembership(
                    kind=kind,
                    mention_id=mention,
                    record_id=record_of[mention],
                    entity_id=entity_pk,
                    features=features.get(mention) if features else None,
                )

    _bulk_create(EntityMembership, created())
    # Small batches: each row of a bulk update looks itself up in a CASE of the batch.
    EntityMembership.objects.bulk_update(changed, ["entity", "features"], batch_size=200)
    revived = (
        ResolvedEntity.objects.filter(kind=kind)
        .exclude(active=True, merged_into__isnull=True)
        .values_list("pk", flat=True)
    )
    for part in _slices([pk for pk in revived if pk in claimed]):
        ResolvedEntity.objects.filter(pk__in=part).update(active=True, merged_into=None)
    return target


def _slices(values: list[Any], size: int = 10_000) -> Iterator[list[Any]]:
    """`values` a slice at a time, for `__in` lookups: SQLite takes at most 250,000
    parameters in one statement, and a partnership has millions of mentions."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _write_blocking_keys(
    mention_ids: Iterable[str], features: Mapping[str, dict[str, Any]]
) -> None:
    ids = list(mention_ids)
    memberships: dict[str, int] = {}
    for part in _slices(ids):
        memberships.update(
            EntityMembership.objects.filter(kind="person", mention_id__in=part).values_list(
                "mention_id", "pk"
            )
        )
    for part in _slices(list(memberships.values())):
        BlockingKey.objects.filter(membership_id__in=part).delete()
    # Two plain columns, ten million rows in a large partnership: written with the
    # driver's executemany, not as model instances (a tenth of the time).
    q = connection.ops.quote_name
    columns = f"{q('key')}, {q('membership_id')}"
    sql = f"INSERT INTO {q(BlockingKey._meta.db_table)} ({columns}) VALUES (%s, %s)"  # nosec B608
    rows = ((key, memberships[m]) for m in ids for key in blocking_keys_of(features[m]))
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, _BULK * 10)):
            cursor.executemany(sql, chunk)


def _bulk_create(model: Any, objects: Iterable[Any]) -> None:
    """`bulk_create`, a slice at a time: Django lists every object first, and a
    partnership's 2 million memberships or 10 million blocking keys do not fit."""
    chunk: list[Any] = []
    for obj in objects:
        chunk.append(obj)
        if len(chunk) == _BULK * 10:
            model.objects.bulk_create(chunk, batch_size=_BULK)
            chunk = []
    model.objects.bulk_create(chunk, batch_size=_BULK)


def _delete_links(kinds: list[str]) -> None:
    """Delete the stored links of these kinds, a slice at a time.

    One `delete()` of every link would set each review item's link to null in a single
    statement with one parameter per link: too many for SQLite past ~32,000 links.
    """
    ids = list(EntityLink.objects.filter(kind__in=kinds).values_list("pk", flat=True))
    for start in range(0, len(ids), _BULK):
        EntityLink.objects.filter(pk__in=ids[start : start + _BULK]).delete()


def _link_rows(
    pairs: Iterable[ScoredPair], model: PersonModel, version: LinkageModelVersion
) -> list[EntityLink]:
    return list(_iter_link_rows(pairs, model, version))


def _iter_link_rows(
    pairs: Iterable[ScoredPair], model: PersonModel, version: LinkageModelVersion
) -> Iterator[EntityLink]:
    return (
        EntityLink(
            kind="person",
            mention_left=p.left,
            mention_right=p.right,
            status=model.thresholds.decide(p.weight),
            match_weight=round(p.weight, 4),
            match_probability=p.probability,
            contributions=[
                {"comparison": c.comparison, "level": c.level, "weight": c.weight}
                for c in model.explain(p.levels)
            ],
            model=version,
        )
        for p in pairs
        if model.thresholds.decide(p.weight) != "no_link"
    )


def _worth_reviewing(
    links: list[EntityLink], weak: AbstractSet[str], linked: AbstractSet[str] | None = None
) -> list[EntityLink]:
    """The uncertain links a reviewer should see.

    A lone name ("Ben, about 14") is uncertain against every Ben of that age: queuing
    each pair would bury the queue. Such a mention gets one item, for its strongest
    uncertain pair, and none when it is linked to someone already. `linked` (the
    mentions in a link) is worked out from `links` unless given.
    """
    review = [link for link in links if link.status == EntityLink.Status.REVIEW]
    if linked is None:
        linked = {
            m
            for link in links
            if link.status == EntityLink.Status.LINK
            for m in (link.mention_left, link.mention_right)
        }
    best: dict[str, EntityLink] = {}
    wanted = []
    for link in review:
        lone = [m for m in (link.mention_left, link.mention_right) if m in weak]
        if not lone:
            wanted.append(link)
        for m in lone:
            if m not in linked and (
                m not in best or (link.match_weight or 0) > (best[m].match_weight or 0)
            ):
                best[m] = link
    chosen = {id(link) for link in best.values()}
    return wanted + [link for link in review if id(link) in chosen]


def _open_reviews(
    links: Iterable[EntityLink],
    decisions: Mapping[tuple[str, str], str],
    weak: AbstractSet[str] = frozenset(),
    linked: AbstractSet[str] | None = None,
) -> int:
    """Open a review item for each uncertain pair worth it no reviewer has decided yet."""
    wanted = [
        link
        for link in _worth_reviewing(list(links), weak, linked)
        if (link.mention_left, link.mention_right) not in decisions
    ]
    lefts = sorted({w.mention_left for w in wanted})
    existing = {
        pair
        for part in _slices(lefts)
        for pair in ReviewItem.objects.filter(mention_left__in=part).values_list(
            "mention_left", "mention_right"
        )
    }
    # Links written with ignore_conflicts come back without ids: look them up.
    stored = {
        (left, right): pk
        for part in _slices(lefts)
        for pk, left, right in EntityLink.objects.filter(
            kind="person", mention_left__in=part
        ).values_list("pk", "mention_left", "mention_right")
    }
    items = []
    for link in wanted:
        pair = (link.mention_left, link.mention_right)
        if pair in existing:
            ReviewItem.objects.filter(mention_left=pair[0], mention_right=pair[1]).update(
                link_id=stored.get(pair)
            )
            continue
        items.append(
            ReviewItem(
                link_id=stored.get(pair),
                mention_left=pair[0],
                mention_right=pair[1],
                match_weight=link.match_weight or 0.0,
            )
        )
    ReviewItem.objects.bulk_create(items, batch_size=_BULK)
    return len(items)


# --- objects --------------------------------------------------------------------------


def _object_values(kind: str, queryset: Any) -> list[dict[str, Any]]:
    return list(queryset.values(*_OBJECT_FIELDS[kind]).order_by("pk"))


def _resolve_objects_batch(run: LinkageRun) -> dict[str, int]:
    counts = {}
    for kind in OBJECT_KINDS:
        values = _object_values(kind, MENTION_MODELS[kind].objects.all())
        by_key: dict[str, list[str]] = {}
        record_of = {}
        for v in values:
            key = object_key(kind, v) or f"alone:{v['mention_id']}"
            by_key.setdefault(key, []).append(v["mention_id"])
            record_of[v["mention_id"]] = v["record_id"]
        keys = sorted(by_key)
        groups = [sorted(by_key[k]) for k in keys]
        _apply_groups(
            kind=kind,
            groups=groups,
            record_of=record_of,
            run=run,
            keys={i: k for i, k in enumerate(keys)},
        )
        _set_object_keys(kind, groups, keys)
        counts[kind] = len(groups)
    _candidate_plate_links(None)
    return counts


def _set_object_keys(kind: str, groups: list[list[str]], keys: list[str]) -> None:
    entity_of = dict(
        EntityMembership.objects.filter(kind=kind).values_list("mention_id", "entity_id")
    )
    key_of = dict(ResolvedEntity.objects.filter(kind=kind).values_list("pk", "key"))
    for group, key in zip(groups, keys, strict=True):
        entity = entity_of[group[0]]
        if key_of.get(entity) != key:
            ResolvedEntity.objects.filter(pk=entity).update(key=key)


def _candidate_plate_links(partial_keys: Iterable[str] | None) -> int:
    """Link partial plates to the full plates they could be, as candidates only."""
    vehicles = ResolvedEntity.objects.filter(kind="vehicle", active=True)
    full = list(vehicles.exclude(key__contains="?").exclude(key="").values_list("key", flat=True))
    partial = (
        list(vehicles.filter(key__contains="?").values_list("key", flat=True))
        if partial_keys is None
        else [k for k in partial_keys if is_partial_vehicle_key(k)]
    )
    matches = {key: candidate_plates(key, full) for key in partial}
    # Only the plates that take part: one import's partial plate reads a few mentions,
    # not every vehicle mention of the partnership.
    involved = sorted({*matches, *(m for found in matches.values() for m in found)})
    first_mention: dict[str, str] = {}
    for chunk in _slices(involved):
        for key, mention in (
            EntityMembership.objects.filter(kind="vehicle", entity__key__in=chunk)
            .order_by("mention_id")
            .values_list("entity__key", "mention_id")
        ):
            if key not in first_mention or mention < first_mention[key]:
                first_mention[key] = mention
    links = []
    for key in partial:
        if key not in first_mention:
            continue
        for match in matches[key]:
            a, b = _pair(first_mention[key], first_mention[match])
            links.append(
                EntityLink(
                    kind="vehicle",
                    mention_left=a,
                    mention_right=b,
                    status=EntityLink.Status.CANDIDATE,
                    contributions=[
                        {
                            "comparison": "registration mark",
                            "level": f"{key[4:]} could be {match[4:]}",
                        }
                    ],
                )
            )
    EntityLink.objects.bulk_create(links, batch_size=_BULK, ignore_conflicts=True)
    return len(links)


# --- batch ----------------------------------------------------------------------------


def _store_person_links(
    pairs: list[ScoredPair],
    model: PersonModel,
    version: LinkageModelVersion,
    decisions: Mapping[tuple[str, str], str],
    weak: AbstractSet[str],
) -> tuple[Counter[str], int]:
    """Write a batch run's person links and open their reviews; return how many links of
    each status were written, and how many review items were opened.

    Links are written as they are made: a million of them as model instances do not fit
    beside the partnership's feature rows. Kept in memory: the uncertain ones, and who
    is linked.
    """
    statuses: Counter[str] = Counter()
    linked: set[str] = set()
    uncertain: list[EntityLink] = []

    def link_rows() -> Iterator[EntityLink]:
        for link in _iter_link_rows(pairs, model, version):
            statuses[link.status] += 1
            if link.status == EntityLink.Status.LINK:
                linked.update((link.mention_left, link.mention_right))
            else:
                uncertain.append(link)
            yield link

    _bulk_create(EntityLink, link_rows())
    return statuses, _open_reviews(uncertain, decisions, weak, linked)


def linkage_run_batch(
    *,
    acting_user: Any,
    engine: str = "duckdb",
    train: bool | None = None,
    progress: Progress | None = None,
) -> LinkageRun:
    """Resolve every mention of the partnership again, keeping entity ids stable.

    Estimates a new person model from the data when `train` is True (or, when None,
    when there are enough mentions), stores it as a new version, and applies every
    reviewer decision still in force.
    """
    say = progress or (lambda _: None)
    with transaction.atomic():
        run = LinkageRun.objects.create(
            mode=LinkageRun.Mode.BATCH, engine=engine, started_at=timezone.now()
        )
        say("reading person mentions")
        rows, record_of = [], {}
        for v in _person_values(PersonMention.objects.all()):
            record_of[v["mention_id"]] = v["record_id"]
            rows.append(_feature_row(v))
        features = {r["unique_id"]: r for r in rows}
        runner = make_engine(engine)
        try:
            if train is None:
                train = len(rows) >= MIN_MENTIONS_TO_TRAIN
            stored, model = current_model()
            if train:
                say(f"estimating the person model from {len(rows):,} mentions")
                trained = train_person_model(rows, runner, base=model, progress=say)
                stored = linkage_model_store(acting_user=acting_user, model=trained, engine=engine)
                model = trained
            elif stored is None:
                stored = linkage_model_store(acting_user=acting_user, model=model)
            decisions = active_decisions()
            say("scoring pairs and grouping mentions")
            resolution = resolve_people(rows, model, runner, decisions=decisions, progress=say)
        finally:
            runner.close()
        run.model = stored
        say("storing resolved people")
        groups = sorted(resolution.groups().values())
        _apply_groups(kind="person", groups=groups, record_of=record_of, run=run, features=features)
        _write_blocking_keys(features, features)
        # The feature rows are stored now; let them go before the links are made.
        mentions, people = len(rows), len(groups)
        weak = {m for m, row in features.items() if is_weak(row)}
        del rows, features, record_of, groups
        _delete_links(["person", "vehicle"])
        statuses, opened = _store_person_links(
            resolution.explaining_pairs(), model, stored, decisions, weak
        )
        refused, unbridged = len(resolution.refused), len(resolution.unbridged)
        too_common = resolution.too_common
        del resolution, weak
        say("resolving vehicles, phones, accounts and places")
        objects = _resolve_objects_batch(run)
        ResolvedEntity.objects.filter(kind="person", active=True).annotate(
            n=Count("members")
        ).filter(n=0).update(active=False)
        run.finished_at = timezone.now()
        run.summary = {
            "person_mentions": mentions,
            "people": people,
            "links": statuses["link"],
            "review_pairs": statuses["review"],
            "reviews_opened": opened,
            "decisions_applied": len(decisions),
            "links_refused_by_decisions": refused,
            "links_not_bridged": unbridged,
            "blocking_keys_too_common": too_common,
            "objects": objects,
            "model_version": stored.version,
        }
        run.save()
        audit_log(
            acting_user=acting_user,
            action="linkage_run_batch",
            object_type="linkage_run",
            object_ids=[run.pk],
            detail=run.summary,
        )
    return run


# --- incremental ----------------------------------------------------------------------


def _merge_entities(entities: list[int], run: LinkageRun | None) -> int:
    """Merge entities into the one with most mentions (then the oldest); return it."""
    sizes = dict(
        ResolvedEntity.objects.filter(pk__in=entities)
        .annotate(n=Count("members"))
        .values_list("pk", "n")
    )
    survivor = sorted(entities, key=lambda e: (-sizes.get(e, 0), e))[0]
    others = [e for e in entities if e != survivor]
    if others:
        EntityMembership.objects.filter(entity_id__in=others).update(entity_id=survivor)
        ResolvedEntity.objects.filter(pk__in=others).update(active=False, merged_into_id=survivor)
        EntityEvent.objects.create(
            kind=EntityEvent.Kind.MERGE,
            entity_id=survivor,
            others=list(
                ResolvedEntity.objects.filter(pk__in=others)
                .order_by("entity_id")
                .values_list("entity_id", flat=True)
            ),
            run=run,
        )
    return survivor


def _records_of(batch: ImportBatch) -> Any:
    # A semi-join on the batch's versions: DISTINCT over whole mention rows (JSON columns
    # included) was minutes on PostgreSQL for a 60,000-record import.
    return RecordVersion.objects.filter(batch=batch).values("record_id")


def linkage_resolve_import(batch: ImportBatch, *, acting_user: Any = None) -> LinkageRun:
    """Resolve what one import wrote against everything already resolved.

    Runs inside the import's transaction. A large import is deferred to the next
    batch run instead, so that a million-line file does not hold its transaction
    open while each mention is scored. While the partnership is young, an import that
    has doubled its person mentions since the model was estimated runs a batch run
    instead (`_model_outgrown`): the model is estimated again and everyone re-resolved.
    """
    acting = acting_user or batch.acting_user
    persons = PersonMention.objects.filter(record_id__in=_records_of(batch))
    count = persons.count()
    if count <= INCREMENTAL_LIMIT and _model_outgrown():
        return linkage_run_batch(acting_user=acting, train=True)
    with transaction.atomic():
        run = LinkageRun.objects.create(
            mode=LinkageRun.Mode.INCREMENTAL,
            import_batch_id=batch.pk,
            started_at=timezone.now(),
        )
        if count > INCREMENTAL_LIMIT:
            run.mode = LinkageRun.Mode.DEFERRED
            run.summary = {
                "person_mentions": count,
                "reason": "import too large; run `shinealight link`",
            }
        else:
            run.summary = _resolve_incrementally(batch, persons, run, acting)
        run.finished_at = timezone.now()
        run.save()
        audit_log(
            acting_user=acting,
            action="linkage_resolve_import",
            object_type="linkage_run",
            object_ids=[run.pk],
            detail={"import_batch": batch.pk, "mode": run.mode, **run.summary},
        )
    return run


_COLUMNS = frozenset(FEATURE_COLUMNS)


def _candidate_memberships(keys: Iterable[str], limit: int = BLOCK_LIMIT) -> set[int]:
    """The stored person mentions a new mention is compared with: those sharing a key.

    As in a batch run (`cap_common_keys`), a key held by more than `limit` people pairs
    nobody. A key held by more than `limit` mentions of fewer people (a child recorded
    two thousand times) brings one mention of each: her copies need not all be read.
    """
    wanted = sorted(set(keys))
    found = BlockingKey.objects.filter(key__in=wanted)
    sizes = dict(found.values_list("key").annotate(n=Count("id")).order_by())
    common = [k for k, n in sizes.items() if n > limit]
    ids = set(found.exclude(key__in=common).values_list("membership_id", flat=True))
    for key in common:
        one_each = (
            BlockingKey.objects.filter(key=key)
            .values("membership__entity_id")
            .annotate(first=Min("membership_id"))
            .order_by()
            .values_list("first", flat=True)
        )
        people = list(one_each[: limit + 1])
        if len(people) <= limit:
            ids.update(people)
    return ids


def _known_rows(memberships: list[EntityMembership]) -> list[dict[str, Any]]:
    """Feature rows of resolved mentions, as stored; rebuilt where stored by an older model."""
    rows, stale = [], []
    for m in memberships:
        if m.features and _COLUMNS <= m.features.keys():
            rows.append(dict(m.features))
        else:
            stale.append(m.mention_id)
    if stale:
        mentions = PersonMention.objects.filter(mention_id__in=stale)
        rows += [_feature_row(v) for v in _person_values(mentions)]
    return rows


def _named_entities(entities: set[int]) -> list[str]:
    """Entities (as their string pk) with at least one mention giving a surname."""
    named = (
        EntityMembership.objects.filter(kind="person", entity_id__in=entities)
        .exclude(features__surname=None)
        .values_list("entity_id", flat=True)
        .distinct()
    )
    return [str(e) for e in named]


def _model_outgrown() -> bool:
    """True when the model in use should be estimated again from today's data.

    That is when a partnership of at least MIN_MENTIONS_TO_TRAIN and at most
    AUTO_ESTIMATE_LIMIT person mentions has no estimated model, or has twice the
    mentions its model was estimated on.
    """
    total = PersonMention.objects.count()
    if not MIN_MENTIONS_TO_TRAIN <= total <= AUTO_ESTIMATE_LIMIT:
        return False
    stored, model = current_model()
    if stored is None or model.source != "estimated":
        return True
    return total >= 2 * model.trained_on


def _resolve_incrementally(
    batch: ImportBatch, persons: Any, run: LinkageRun, acting: Any
) -> dict[str, Any]:
    stored, model = _model_version_for_use(acting)
    run.model = stored
    values = list(_person_values(persons))
    rows = [_feature_row(v) for v in values]
    features = {r["unique_id"]: r for r in rows}
    record_of = {v["mention_id"]: v["record_id"] for v in values}
    keys = {k for r in rows for k in probe_keys_of(r)}
    known = {
        m.mention_id: m
        for m in EntityMembership.objects.filter(
            kind="person", pk__in=_candidate_memberships(keys)
        ).only("mention_id", "entity_id", "features")
    }
    decisions = active_decisions()
    resolver = IncrementalResolver(model, decisions=decisions)
    known_rows = _known_rows([m for m in known.values() if m.mention_id not in features])
    resolver.load(
        known_rows,
        {m.mention_id: str(m.entity_id) for m in known.values()},
        named=_named_entities({m.entity_id for m in known.values()}),
    )
    pairs: list[ScoredPair] = []
    for row in rows:
        pairs.extend(resolver.place(row).pairs)
    assignment = resolver.assignment()
    # Group the new mentions with the existing entities their group reaches.
    entity_of = {m: known[m].entity_id for m in known}
    previous = dict(
        EntityMembership.objects.filter(kind="person", mention_id__in=list(features)).values_list(
            "mention_id", "entity_id"
        )
    )
    entity_of.update(previous)
    by_group: dict[str, list[str]] = {}
    for mention in features:
        by_group.setdefault(assignment[mention], []).append(mention)
    members_of: dict[str, set[int]] = {}
    for mention, rep in assignment.items():
        if mention in entity_of:
            members_of.setdefault(rep, set()).add(entity_of[mention])
    created = merged = 0
    new_memberships = []
    for rep, mentions in by_group.items():
        entities = sorted(members_of.get(rep, set()))
        if not entities:
            entity = _new_entity("person", label=_label(features[m] for m in mentions)).pk
            created += 1
        elif len(entities) == 1:
            entity = entities[0]
        else:
            entity = _merge_entities(entities, run)
            merged += 1
        for mention in mentions:
            if mention in previous:
                EntityMembership.objects.filter(kind="person", mention_id=mention).update(
                    entity_id=entity, features=features[mention]
                )
            else:
                new_memberships.append(
                    EntityMembership(
                        kind="person",
                        mention_id=mention,
                        record_id=record_of[mention],
                        entity_id=entity,
                        features=features[mention],
                    )
                )
    EntityMembership.objects.bulk_create(new_memberships, batch_size=_BULK)
    _write_blocking_keys(features, features)
    links = _link_rows(pairs, model, stored)
    EntityLink.objects.bulk_create(links, batch_size=_BULK, ignore_conflicts=True)
    weak = {r["unique_id"] for r in (*rows, *known_rows) if is_weak(r)}
    opened = _open_reviews(links, decisions, weak)
    objects = _resolve_objects_incrementally(batch, run)
    return {
        "person_mentions": len(rows),
        "people_created": created,
        "merges": merged,
        "links": sum(1 for link in links if link.status == "link"),
        "reviews_opened": opened,
        "objects": objects,
        "model_version": stored.version,
    }


def _resolve_objects_incrementally(batch: ImportBatch, run: LinkageRun) -> dict[str, int]:
    counts: dict[str, int] = {}
    new_partial: list[str] = []
    for kind in OBJECT_KINDS:
        values = _object_values(
            kind, MENTION_MODELS[kind].objects.filter(record_id__in=_records_of(batch))
        )
        seen = set(
            EntityMembership.objects.filter(
                kind=kind, mention_id__in=[v["mention_id"] for v in values]
            ).values_list("mention_id", flat=True)
        )
        created = 0
        for v in values:
            if v["mention_id"] in seen:
                continue
            key = object_key(kind, v) or f"alone:{v['mention_id']}"
            entity = ResolvedEntity.objects.filter(kind=kind, key=key, active=True).first()
            if entity is None:
                entity = _new_entity(kind, key=key)
                created += 1
                if kind == "vehicle":
                    new_partial.append(key)
            EntityMembership.objects.create(
                kind=kind, mention_id=v["mention_id"], record_id=v["record_id"], entity=entity
            )
        counts[kind] = created
    _candidate_plate_links(new_partial)
    return counts


@after_import
def _resolve_after_import(batch: ImportBatch) -> None:
    linkage_resolve_import(batch)


# --- review ---------------------------------------------------------------------------


def review_decide(
    *, acting_user: Any, item: ReviewItem, decision: str, reason: str = ""
) -> ReviewDecision:
    """Record a reviewer's 'same' or 'not same' about a queued pair.

    The decision overrides the model in every later run, batch or incremental. A
    'same' joins the two people at once; a 'not same' keeps them apart from now on.
    """
    if decision not in ReviewDecision.Decision.values:
        raise ReviewError(f"unknown decision {decision!r}: expected same or not_same")
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().get(pk=item.pk)
        if item.closed_at is not None:
            raise ReviewError("this pair has already been decided; revoke that decision first")
        now = timezone.now()
        made = ReviewDecision.objects.create(
            mention_left=item.mention_left,
            mention_right=item.mention_right,
            decision=decision,
            reason=reason,
            item=item,
            decided_by=acting_user,
            decided_at=now,
        )
        item.closed_at = now
        item.save(update_fields=["closed_at"])
        merged_into = None
        if decision == ReviewDecision.Decision.SAME:
            entities = sorted(
                set(
                    EntityMembership.objects.filter(
                        kind="person", mention_id__in=[item.mention_left, item.mention_right]
                    ).values_list("entity_id", flat=True)
                )
            )
            if len(entities) > 1:
                merged_into = _merge_entities(entities, None)
        audit_log(
            acting_user=acting_user,
            action="review_decide",
            object_type="review_item",
            object_ids=[item.pk],
            detail={
                "decision": decision,
                "mentions": [item.mention_left, item.mention_right],
                "reason": reason,
                "merged_into": merged_into,
            },
        )
    return made


def review_decision_revoke(*, acting_user: Any, decision: ReviewDecision) -> ReviewDecision:
    """Withdraw a decision: the pair goes back to the queue and the model decides again.

    People joined by a 'same' stay joined until the next batch run re-groups them.
    """
    with transaction.atomic():
        decision = ReviewDecision.objects.select_for_update().get(pk=decision.pk)
        if decision.revoked_at is not None:
            raise ReviewError("this decision has already been revoked")
        decision.revoked_at = timezone.now()
        decision.revoked_by = acting_user
        decision.save(update_fields=["revoked_at", "revoked_by"])
        if decision.item_id is not None:
            ReviewItem.objects.filter(pk=decision.item_id).update(closed_at=None)
        audit_log(
            acting_user=acting_user,
            action="review_decision_revoke",
            object_type="review_decision",
            object_ids=[decision.pk],
            detail={
                "decision": decision.decision,
                "mentions": [decision.mention_left, decision.mention_right],
            },
        )
    return decision


def review_decide_pair(
    *, acting_user: Any, left: str, right: str, decision: str, reason: str = ""
) -> ReviewDecision:
    """Decide about any two person mentions, queued or not (opens the item if needed)."""
    a, b = _pair(left, right)
    item, _ = ReviewItem.objects.get_or_create(
        mention_left=a, mention_right=b, defaults={"match_weight": 0.0}
    )
    return review_decide(acting_user=acting_user, item=item, decision=decision, reason=reason)
