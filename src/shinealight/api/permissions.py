"""Deny by default: an API view is open only to the roles it lists in `allowed_roles`."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission


class RoleAllowed(BasePermission):
    """Grant access only to active users whose role the view names; no list means nobody."""

    message = "Your role does not give access to this."

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(view, "public", False):
            return True
        user = request.user
        if user is None or not getattr(user, "is_active", False):
            return False
        allowed = getattr(view, "allowed_roles", None)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            allowed = getattr(view, "read_roles", allowed)
        return bool(allowed) and user.role in allowed
