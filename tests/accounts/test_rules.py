"""The object rules and the visible_to() querysets state one policy: they must agree."""

from __future__ import annotations

from typing import Any

import pytest

from shinealight.records.models import Record

pytestmark = pytest.mark.django_db


def test_rule_and_queryset_agree_for_every_role_and_record(
    imported: Any, users: dict[str, Any]
) -> None:
    records = list(Record.objects.all())
    assert len(records) == 4
    for role, user in users.items():
        visible = set(Record.objects.visible_to(user).values_list("pk", flat=True))
        allowed = {r.pk for r in records if user.has_perm("records.view_record", r)}
        assert visible == allowed, role


def test_inactive_users_see_nothing(imported: Any, users: dict[str, Any]) -> None:
    analyst = users["analyst"]
    analyst.is_active = False
    assert not Record.objects.visible_to(analyst).exists()
    assert not any(analyst.has_perm("records.view_record", r) for r in Record.objects.all())


def test_sqlite_runs_in_wal_mode_with_foreign_keys() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    # The test database is in memory (no WAL there); check the settings that a file gets.
    from django.conf import settings

    assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]
