"""Reading users: for the administrator's pages."""

from __future__ import annotations

from django.db.models import QuerySet

from shinealight.accounts.models import User


def user_list() -> QuerySet[User]:
    """Every user with their agency, by username."""
    return User.objects.select_related("agency").order_by("username")
