"""Shared fixtures: agencies, one user per role, API clients that sign in with real tokens."""

from __future__ import annotations

import time
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
# Every test user's authenticator key (base32), so tests can work out the code an app shows.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(user: Any = None, secret: str = TOTP_SECRET) -> str:
    """The next code the user's app would show that the server has not yet accepted.

    Each 30-second code is accepted once; when this one is used, the next step's code (the
    server allows one step of clock drift) is given instead, and failing that it waits.
    """
    from shinealight.accounts import two_factor

    while True:
        step = two_factor.current_step()
        last = -1
        if user is not None:
            authenticator = two_factor.totp_authenticator(user)
            if authenticator is not None:
                secret = two_factor.secret_of(authenticator)
                last = int(authenticator.data.get("last_step", -1))
        for candidate in (step, step + 1):
            if candidate > last:
                return two_factor.code_for(secret, candidate)
        time.sleep(1)


@pytest.fixture(autouse=True)
def _force_login_finishes_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """`client.force_login(user)` stands for a whole sign-in: password and code.

    Production sessions pass the second factor only through the code pages
    (accounts.two_factor.mark_verified); test clients signed in with force_login are marked
    the same way here, so page tests need not type codes. tests/accounts/test_mfa.py signs
    in through the real pages instead.
    """
    from django.test.client import Client

    original = Client.force_login

    def force_login(self: Any, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        from shinealight.accounts import two_factor

        session = self.session
        session[two_factor.VERIFIED] = True
        session[two_factor.AUTHENTICATED_AT] = time.time()
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One Argon2 hash of PASSWORD, computed once: hashing is slow on purpose."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


@pytest.fixture
def make_user(agencies: dict[str, Any], password_hash: str) -> Any:
    from shinealight.accounts.models import User

    def make(
        role: str,
        agency: str | None = "rmbc-csc",
        username: str | None = None,
        two_factor: bool = True,
    ) -> Any:
        user = User(
            username=username or role,
            role=role,
            agency=agencies[agency] if agency else None,
            password=password_hash,
        )
        user.save()
        if two_factor:
            # An authenticator app already set up with the known test key (TOTP_SECRET).
            from allauth.mfa.models import Authenticator

            Authenticator.objects.create(
                user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
            )
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


# Checks of the HTTP surface, the browser and the schema, whose outcome does not depend on
# the database engine: `make test` runs them once, on PostgreSQL, and leaves them out of
# the second pass on SQLite (`-m "not one_database"`). Everything that reads or writes
# through SQL the engines could treat differently runs on both.
ONE_DATABASE = (
    "tests/api/test_permissions.py",
    "tests/records/test_import_memory.py",
    "tests/security/test_csrf.py",
    "tests/security/test_import_fuzz.py",
    "tests/security/test_page_matrix.py",
    "tests/security/test_reach_property.py",
    "tests/security/test_schemathesis.py",
    "tests/web/",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(ONE_DATABASE):
            item.add_marker(pytest.mark.one_database)
