"""Entity resolution: who is who, and which car, phone, account or place is which.

Person mentions are resolved with a Fellegi-Sunter model run by Splink (DuckDB by
default, Spark for scale) and, for new records, by an in-memory candidate index that
applies the same parameters in Python. Objects are resolved by normalised keys.
Nothing here imports Django; `shinealight.people` stores what this computes.
"""

from shinealight.core.linkage.internals.batch import ScoredPair, predict_pairs, train_person_model
from shinealight.core.linkage.internals.cluster import Clusters, cluster_pairs
from shinealight.core.linkage.internals.comparisons import (
    BLOCK_LIMIT,
    BLOCKING_KEYS,
    PERSON_COMPARISONS,
    Comparison,
    Level,
    add_blocking_keys,
    blocking_keys_of,
    probe_keys_of,
)
from shinealight.core.linkage.internals.engines import (
    DuckDBEngine,
    Engine,
    SparkEngine,
    make_engine,
)
from shinealight.core.linkage.internals.evaluate import (
    LinkageScores,
    pairwise_agreement,
    score_clusters,
)
from shinealight.core.linkage.internals.features import (
    FEATURE_COLUMNS,
    address_parts,
    first_name_family,
    person_features,
)
from shinealight.core.linkage.internals.incremental import CandidateIndex
from shinealight.core.linkage.internals.model import (
    DEFAULT_PERSON_MODEL,
    Contribution,
    PersonModel,
    Thresholds,
    comparison_levels,
    term_frequency_tables,
)
from shinealight.core.linkage.internals.objects import (
    OBJECT_KINDS,
    ObjectGroup,
    candidate_plates,
    group_objects,
    is_partial_vehicle_key,
    object_key,
)
from shinealight.core.linkage.internals.resolve import (
    IncrementalResolver,
    PersonResolution,
    Placement,
    is_weak,
    person_rows,
    read_mentions,
    resolve_people,
)

__all__ = [
    "BLOCK_LIMIT",
    "BLOCKING_KEYS",
    "DEFAULT_PERSON_MODEL",
    "FEATURE_COLUMNS",
    "OBJECT_KINDS",
    "PERSON_COMPARISONS",
    "CandidateIndex",
    "Clusters",
    "Comparison",
    "Contribution",
    "DuckDBEngine",
    "Engine",
    "IncrementalResolver",
    "Level",
    "LinkageScores",
    "ObjectGroup",
    "PersonModel",
    "PersonResolution",
    "Placement",
    "ScoredPair",
    "SparkEngine",
    "Thresholds",
    "add_blocking_keys",
    "address_parts",
    "blocking_keys_of",
    "candidate_plates",
    "cluster_pairs",
    "comparison_levels",
    "first_name_family",
    "group_objects",
    "is_partial_vehicle_key",
    "is_weak",
    "make_engine",
    "object_key",
    "pairwise_agreement",
    "person_features",
    "person_rows",
    "predict_pairs",
    "probe_keys_of",
    "read_mentions",
    "resolve_people",
    "score_clusters",
    "term_frequency_tables",
    "train_person_model",
]
