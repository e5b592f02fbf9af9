"""SQL injection payloads on every filter, search and ordering parameter of the API.

The parameters come from the published OpenAPI schema, so a new filter is probed the day
it is added. Each payload must be answered without a server error, must not widen what
the caller sees (a payload never returns more rows than an empty filter would), and must
leave the stored data as it was.
"""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from shinealight.records.models import Agency, Record

PAYLOADS = [
    "' OR '1'='1",
    "1' OR 1=1 --",
    "x'); DROP TABLE records_record; --",
    '" OR ""="',
    "1; SELECT pg_sleep(0)",
    "%' UNION SELECT username, password FROM accounts_user --",
    "id; DELETE FROM records_agency",
    "\\' OR 1=1 #",
    "-1 OR 1=1",
    "(SELECT 1)",
]


def _filtered_lists() -> list[tuple[str, list[str]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, item in sorted(schema["paths"].items()):
        operation = item.get("get")
        if not operation or "{" in path:
            continue
        names = [
            p["name"]
            for p in operation.get("parameters", [])
            if p.get("in") == "query" and p["name"] not in {"page", "page_size", "format"}
        ]
        if names:
            found.append((path, names))
    return found


LISTS = _filtered_lists()


def test_the_probe_finds_filters_to_attack() -> None:
    # If the schema stopped describing query parameters this suite would attack nothing.
    assert len(LISTS) >= 5
    assert any("records" in path for path, _ in LISTS)


@pytest.mark.parametrize(("path", "names"), LISTS, ids=[p for p, _ in LISTS])
def test_payloads_on_every_filter(
    path: str, names: list[str], imported: Any, client_for: Any
) -> None:
    client = client_for("analyst")
    baseline = client.get(path)
    records, agencies = Record.objects.count(), Agency.objects.count()
    for name in names:
        for payload in PAYLOADS:
            response = client.get(path, {name: payload})
            assert response.status_code < 500, (path, name, payload, response.status_code)
            if response.status_code == 200 and baseline.status_code == 200:
                body, base = response.json(), baseline.json()
                if isinstance(body, dict) and "count" in body and "count" in base:
                    assert body["count"] <= base["count"], (path, name, payload)
    assert (Record.objects.count(), Agency.objects.count()) == (records, agencies)
