"""The SQL engines Splink runs on, behind one small interface.

DuckDB is embedded and the default; Spark is the path to a cluster. Both receive the
same feature rows and the same model; only the SQL dialect differs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from shinealight.core.linkage.internals.comparisons import (
    BLOCKING_KEYS,
    LONE_PROBE,
    LONE_STORE,
    Dialect,
)
from shinealight.core.linkage.internals.features import FEATURE_COLUMNS

_LIST_COLUMNS = {"first_family", "surnames", "phones", LONE_PROBE}
_INT_COLUMNS = {"dob_year", "dob_month", "dob_day", "birth_year_est", "birth_year"}
_BOOL_COLUMNS = {"adult"}


def _arrow_schema() -> pa.Schema:
    fields = []
    for name in FEATURE_COLUMNS:
        if name in _LIST_COLUMNS:
            kind: pa.DataType = pa.list_(pa.string())
        elif name in _INT_COLUMNS:
            kind = pa.int32()
        elif name in _BOOL_COLUMNS:
            kind = pa.bool_()
        else:
            kind = pa.string()
        fields.append(pa.field(name, kind))
    fields.extend(pa.field(name, pa.string()) for name, _ in BLOCKING_KEYS)
    fields.append(pa.field(LONE_STORE, pa.string()))
    fields.append(pa.field(LONE_PROBE, pa.list_(pa.string())))
    return pa.schema(fields)


SCHEMA = _arrow_schema()


def rows_to_arrow(rows: Sequence[dict[str, Any]]) -> pa.Table:
    """Return feature rows as an Arrow table with the columns both engines expect."""
    # Arrow reads the dicts itself (columns a row lacks become null): twice as fast as
    # building each column in Python.
    return pa.Table.from_pylist(list(rows), schema=SCHEMA)


class Engine(Protocol):
    """A database Splink can run the person model on."""

    name: str
    dialect: Dialect

    def register(self, table: pa.Table, name: str) -> Any:
        """Load feature rows into the engine and return Splink's handle on them."""
        ...

    def register_table(self, table: pa.Table, name: str) -> Any:
        """Load any other table (a term-frequency lookup) and return Splink's handle."""
        ...

    def rows(self, frame: Any, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Yield the named columns of a Splink result, row by row."""
        ...

    def close(self) -> None:
        """Release what the engine holds."""
        ...


def available_cpus() -> int:
    """Return the CPUs this process may use: its affinity, capped by a cgroup v2 quota.

    A container limited to two CPUs on a 64-core host still sees 64 cores; an engine
    that starts a thread for each of them spends its quota switching between them.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    for quota_file, period_file in (
        ("/sys/fs/cgroup/cpu.max", None),  # cgroup v2: "quota period" or "max period"
        ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us"),
    ):
        try:
            parts = Path(quota_file).read_text().split()
            quota = parts[0]
            period = parts[1] if period_file is None else Path(period_file).read_text().strip()
        except (OSError, IndexError):
            continue
        if quota not in ("max", "-1"):
            cpus = min(cpus or 1, max(1, int(quota) // int(period)))
        break
    return max(1, cpus or 1)


class DuckDBEngine:
    """Splink on an embedded, in-process DuckDB database (the default)."""

    name = "duckdb"
    dialect: Dialect = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        import duckdb
        from splink import DuckDBAPI

        self._connection = duckdb.connect()
        self._connection.execute(f"SET threads = {int(threads or available_cpus())}")
        # A partnership of millions of mentions may need DuckDB held to part of the
        # machine (it spills joins and sorts to disk past the limit): the argument, or
        # SHINEALIGHT_DUCKDB_MEMORY ("6GB"), else DuckDB's default of 80% of memory.
        memory_limit = memory_limit or os.environ.get("SHINEALIGHT_DUCKDB_MEMORY")
        if memory_limit:
            self._connection.execute("SET memory_limit = ?", [memory_limit])
            spill = Path(tempfile.gettempdir()) / f"shinealight-duckdb-{os.getpid()}"
            self._connection.execute("SET temp_directory = ?", [str(spill)])
        self.db_api = DuckDBAPI(connection=self._connection)

    def register(self, table: pa.Table, name: str) -> Any:
        return self.db_api.register(table, table_name=name)

    def register_table(self, table: pa.Table, name: str) -> Any:
        return self.db_api.register(table, table_name=name)

    def rows(self, frame: Any, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        # Column names are the model's own; the table is one Splink created.
        sql = f"SELECT {', '.join(columns)} FROM {frame.physical_name}"  # nosec B608
        cursor = self._connection.execute(sql)
        while batch := cursor.fetchmany(100_000):
            yield from batch

    def close(self) -> None:
        self._connection.close()


class SparkEngine:
    """Splink on Apache Spark: the same model, for partnerships too big for one machine.

    With no session given it starts Spark in local mode, which is how the tests run it.
    """

    name = "spark"
    dialect: Dialect = "spark"

    def __init__(self, *, session: Any = None, cores: int = 2) -> None:
        from splink import SparkAPI

        if session is None:
            from pyspark.sql import SparkSession
            from splink.backends.spark import similarity_jar_location

            session = (
                SparkSession.builder.master(f"local[{cores}]")
                # Splink's jar holds jaro_winkler and the other string similarities.
                .config("spark.jars", similarity_jar_location())
                .appName("shinealight-linkage")
                .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
                .config("spark.ui.enabled", "false")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .getOrCreate()
            )
        if not session.sparkContext.getCheckpointDir():
            import tempfile

            # Splink checkpoints intermediate tables to cut Spark's query plans short.
            session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="shinealight-spark-"))
        self.session = session
        self.db_api = SparkAPI(spark_session=session)  # type: ignore[no-untyped-call]

    def register(self, table: pa.Table, name: str) -> Any:
        frame = self.session.createDataFrame(table.to_pandas(), schema=_spark_schema())
        return self.db_api.register(frame, table_name=name)

    def register_table(self, table: pa.Table, name: str) -> Any:
        frame = self.session.createDataFrame(table.to_pandas(), schema=_spark_schema(table.schema))
        return self.db_api.register(frame, table_name=name)

    def rows(self, frame: Any, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        for row in frame.as_spark_dataframe().select(*columns).toLocalIterator():
            yield tuple(row)

    def close(self) -> None:
        # The session may be shared (a notebook, a cluster job); whoever made it stops it.
        pass


def _spark_schema(schema: pa.Schema = SCHEMA) -> Any:
    from pyspark.sql import types as T

    fields = []
    for field in schema:
        if pa.types.is_list(field.type):
            kind: Any = T.ArrayType(T.StringType())
        elif pa.types.is_integer(field.type):
            kind = T.IntegerType()
        elif pa.types.is_boolean(field.type):
            kind = T.BooleanType()
        elif pa.types.is_floating(field.type):
            kind = T.DoubleType()
        else:
            kind = T.StringType()
        fields.append(T.StructField(field.name, kind, True))
    return T.StructType(fields)


def make_engine(name: str) -> Engine:
    """Return the engine called `name` ("duckdb" or "spark")."""
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine()
    raise ValueError(f"unknown linkage engine {name!r}: expected duckdb or spark")
