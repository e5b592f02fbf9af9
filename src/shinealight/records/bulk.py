"""Fast bulk inserts for the import path: COPY on PostgreSQL, executemany on SQLite.

The ORM's bulk_create spends most of its time compiling SQL for each row; an import of a
million records writes several million rows, so the import path prepares values once
per column and hands them to the driver directly. Only plain columns are supported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from django.db import connection, models


def _json(value: Any) -> str:
    return value if isinstance(value, RawJSON) else orjson.dumps(value).decode("utf-8")


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.DateTimeField) and connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value  # type: ignore[no-any-return]
    return None


def insert_rows(model: type[models.Model], names: Sequence[str], rows: list[Sequence[Any]]) -> None:
    """Insert `rows` (tuples of values for the fields `names`) into `model`'s table."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    columns = [f.column for f in fields]  # type: ignore[union-attr]
    converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f))]  # type: ignore[arg-type]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)

    def prepare(row: Sequence[Any]) -> Sequence[Any]:
        if not converters:
            return row
        values = list(row)
        for i, convert in converters:
            if values[i] is not None:
                values[i] = convert(values[i])
        return values

    prepared = map(prepare, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            # Table and column names come from the model's metadata, never from input.
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # nosec B608
            cursor.executemany(sql, list(prepared))


class RawJSON(str):
    """JSON text that is already serialised: stored as it is, not encoded a second time."""


def attname(model: type[models.Model], name: str) -> str:
    """The attribute holding a field's database value (`agency` -> `agency_id`)."""
    return model._meta.get_field(name).attname  # type: ignore[union-attr]


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """Reserve `n` primary keys for rows the caller will insert in this transaction.

    PostgreSQL hands them out from the table's sequence. SQLite has no sequence, but an
    import holds the database's only write lock (IMMEDIATE transactions), so the ids
    after the current maximum are free until it commits.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted_table = connection.ops.quote_name(table)  # the model's table name, not input
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted_table}")  # nosec B608
        start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + n))
