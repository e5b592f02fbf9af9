"""A user of Shine a Light: a named person in one agency, with one role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from shinealight.accounts.roles import CASE_ROLES, PARTNERSHIP_WIDE_ROLES, Role


class User(AbstractUser):
    """A named person acting for an agency; every decision and read is recorded against them."""

    agency = models.ForeignKey(
        "records.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        ordering = ["username"]

    @property
    def sees_case_content(self) -> bool:
        return self.is_active and self.role in CASE_ROLES

    @property
    def sees_whole_partnership(self) -> bool:
        return self.is_active and self.role in PARTNERSHIP_WIDE_ROLES
