"""Hotspots by postcode area for the oversight dashboard: counts only, never a place or a name.

A postcode area is the letters a postcode opens with (``S`` of ``S65 1AB``, ``WF`` of
``WF1 2AB``): coarse enough that a count says where work is concentrated without pointing
at a street, a house or a child. Places come from the location mentions of records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Case, CharField, Count, Q, When
from django.db.models.functions import Substr
from django.utils import timezone

from shinealight.alerts.models import Alert, AlertEvidence
from shinealight.cases.models import AlertCase
from shinealight.records.models import LocationMention, Record

CENTROIDS_FILE = Path(__file__).with_name("postcode_areas.yaml")


@dataclass(frozen=True)
class PostcodeArea:
    """An area's approximate centre, for placing its marker."""

    code: str
    name: str
    lat: float
    lon: float
    simulated: bool = False


@cache
def postcode_areas() -> dict[str, PostcodeArea]:
    """The checked-in table of approximate postcode-area centres, by area code."""
    data = yaml.safe_load(CENTROIDS_FILE.read_text(encoding="utf-8"))
    return {
        str(code): PostcodeArea(
            code=str(code),
            name=str(row["name"]),
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            simulated=bool(row.get("simulated", False)),
        )
        for code, row in data["areas"].items()
    }


def _area_of(field: str) -> Case:
    """The postcode area of a canonical postcode, in the database: one letter or two."""
    return Case(
        When(**{f"{field}__regex": r"^[A-Z][0-9]"}, then=Substr(field, 1, 1)),
        default=Substr(field, 1, 2),
        output_field=CharField(),
    )


def _counts_by_area(mentions: Any, counted: str) -> dict[str, int]:
    rows = (
        mentions.exclude(postcode_normalised="")
        .annotate(postcode_area=_area_of("postcode_normalised"))
        .values("postcode_area")
        .annotate(n=Count(counted, distinct=True))
        .order_by()
    )
    return {row["postcode_area"]: row["n"] for row in rows}


def hotspots(*, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """For [start, end): records with indicators and alerts raised, by postcode area.

    A record counts once in each area it names a place in; an alert once in each area its
    evidence names. Sorted busiest first. Aggregates only, for oversight.
    """
    flagged = Record.objects.filter(recorded_at__gte=start, recorded_at__lt=end).exclude(
        Q(indicators=[]) | Q(indicators__isnull=True)
    )
    records = _counts_by_area(
        LocationMention.objects.filter(record__in=flagged.values("pk")), "record"
    )
    raised = Alert.objects.filter(raised_at__gte=start, raised_at__lt=end)
    evidence = AlertEvidence.objects.filter(alert__in=raised.values("pk")).values("record")
    alert_rows = (
        LocationMention.objects.filter(record__in=evidence)
        .exclude(postcode_normalised="")
        .annotate(postcode_area=_area_of("postcode_normalised"))
        .values("postcode_area", "record")
        .order_by()
        .distinct()
    )
    record_areas: dict[int, set[str]] = {}
    for row in alert_rows:
        record_areas.setdefault(row["record"], set()).add(row["postcode_area"])
    alerts: Counter[str] = Counter()
    if record_areas:
        per_alert: dict[int, set[str]] = {}
        for alert_id, record_id in AlertEvidence.objects.filter(
            alert__in=raised.values("pk"), record_id__in=list(record_areas)
        ).values_list("alert_id", "record_id"):
            per_alert.setdefault(alert_id, set()).update(record_areas[record_id])
        for areas in per_alert.values():
            alerts.update(areas)
    known = postcode_areas()
    rows = []
    for code in sorted(set(records) | set(alerts)):
        area = known.get(code)
        rows.append(
            {
                "area": code,
                "name": area.name if area else "",
                "lat": area.lat if area else None,
                "lon": area.lon if area else None,
                "simulated": area.simulated if area else False,
                "records_with_indicators": records.get(code, 0),
                "alerts": alerts.get(code, 0),
            }
        )
    rows.sort(key=lambda r: (-r["records_with_indicators"] - r["alerts"], r["area"]))
    return rows


def alerts_by_month(*, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """How many alert cases were opened in each calendar month of [start, end)."""
    tz = timezone.get_current_timezone()
    counts: Counter[tuple[int, int]] = Counter(
        (local.year, local.month)
        for local in (
            opened.astimezone(tz)
            for opened in AlertCase.objects.filter(
                opened_at__gte=start, opened_at__lt=end
            ).values_list("opened_at", flat=True)
        )
    )
    months = []
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    year, month = local_start.year, local_start.month
    while (year, month) <= (local_end.year, local_end.month):
        months.append({"year": year, "month": month, "alerts": counts.get((year, month), 0)})
        month += 1
        if month == 13:
            year, month = year + 1, 1
    # An end at midnight on the first of a month does not open that month.
    first_of_month = local_end.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if len(months) > 1 and local_end == first_of_month:
        months.pop()
    return months
