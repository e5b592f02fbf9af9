"""Shared fixtures: agencies, one user per role, API clients that sign in with real tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
SPEC_EXAMPLES = DATA / "spec-examples"


@pytest.fixture
def spec_examples() -> Path:
    return SPEC_EXAMPLES


@pytest.fixture
def agencies(db: Any) -> dict[str, Any]:
    from shinealight.records.models import Agency

    return {
        code: Agency.objects.create(code=code, agency_type=kind, name=name)
        for code, kind, name in [
            ("swy-police", "police", "South Yorkshire Police"),
            ("rmbc-csc", "social_care", "Rotherham children's social care"),
            ("partnership-cse", "other", "Partnership CSE team"),
        ]
    }


PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One Argon2 hash of PASSWORD, computed once: hashing is slow on purpose."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


@pytest.fixture
def make_user(agencies: dict[str, Any], password_hash: str) -> Any:
    from shinealight.accounts.models import User

    def make(role: str, agency: str | None = "rmbc-csc", username: str | None = None) -> Any:
        user = User(
            username=username or role,
            role=role,
            agency=agencies[agency] if agency else None,
            password=password_hash,
        )
        user.save()
        return user

    return make


ROLE_HOMES = {
    "practitioner": "rmbc-csc",
    "safeguarding_lead": "swy-police",
    "analyst": "partnership-cse",
    "manager": "partnership-cse",
    "administrator": "partnership-cse",
}


@pytest.fixture
def users(make_user: Any) -> dict[str, Any]:
    return {role: make_user(role, agency) for role, agency in ROLE_HOMES.items()}


@pytest.fixture
def client_for(users: dict[str, Any]) -> Any:
    """An API client signed in with the named role's token (or anonymous for None)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(role: str | None) -> APIClient:
        client = APIClient()
        if role is not None:
            token, _ = Token.objects.get_or_create(user=users[role])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def imported(db: Any, agencies: dict[str, Any], spec_examples: Path) -> Any:
    """The spec's valid example file, imported."""
    from shinealight.records.services import records_import_file

    return records_import_file(path=spec_examples / "valid.jsonl")
