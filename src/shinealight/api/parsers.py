"""Request parsers that refuse the NUL character.

PostgreSQL cannot store U+0000 in text; a value carrying it would fail deep in a query with
a server error. Refused here, at the door, it is a 400 naming the problem.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

NUL = "\x00"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if hasattr(value, "lists"):  # QueryDict
        return any(_has_nul(k) or _has_nul(v) for k, v in value.lists())
    return False


class _RefuseNul:
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)  # type: ignore[misc]
        if _has_nul(getattr(data, "data", data)):
            raise ParseError("Text may not contain the NUL character (U+0000).")
        return data


class JSONParser(_RefuseNul, parsers.JSONParser):
    pass


class FormParser(_RefuseNul, parsers.FormParser):
    pass


class MultiPartParser(_RefuseNul, parsers.MultiPartParser):
    pass
