"""The XSS corpus, the world that carries it in every text field, and a checker for HTML.

Each free-text field of the object world (tests/security/object_world.py) is written
through `hostile(tag, text)`, which puts the whole corpus in front of the field's plain
text. The corpus's scripts set `window.__xss` to the field's short code (`x07`), so a
browser that ran one tells which field let it through, and the code is how the tests find
each field's text again in pages, PDFs and exports.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

# One short code per field, in the order fields are first written.
CODES: dict[str, str] = {}


def code_for(tag: str) -> str:
    if tag not in CODES:
        CODES[tag] = f"x{len(CODES) + 1:02d}q"
    return CODES[tag]


def corpus(code: str) -> list[str]:
    """The payloads: script, event handlers, broken attributes, javascript: URLs, template
    expressions (server and client side) and an early end of a script block."""
    run = f'window.__xss="{code}"'
    return [
        f"javascript:{run}//",
        f"<script>{run}</script>",
        f'"><img src=x onerror={run}>',
        f"'><svg onload={run}>",
        f"</script><script>{run}</script>",
        f'" onmouseover="{run}" x="',
        "{{7*7}}${7*7}",
    ]


# Fields the contract limits (identifiers, indicator codes, kinds: 100 characters; an online
# handle: 200) carry the payloads that fit, script and event handler first; so do the
# fields below them (see the note there).
SHORT = {
    "local-id": 100,
    "indicator": 100,
    "location-kind": 100,
    "link-kind": 100,
    "online-handle": 200,
    # An online account's and a place's entity key joins these fields and is limited to
    # 400 characters, which PostgreSQL enforces: longer ones break the import there
    # (tests/security/test_xss.py::test_long_object_fields_import_on_every_database).
    "online-platform": 150,
    "location-name": 150,
    "location-address": 150,
    # Columns of the cases app (the services take what the forms and API checked).
    "attendee-name": 200,
    "meeting-title": 250,
    "risk-child-label": 300,
    "disruption-label": 250,
    "disclosure-recipient": 300,
}


def hostile(tag: str, text: str) -> str:
    """The corpus first (a `javascript:` URL only runs from the start of an address), then
    the field's own text, so that two fields never hold the same string."""
    payloads = corpus(code_for(tag))
    if tag in SHORT:
        payloads = [payloads[2], payloads[1], payloads[5], payloads[3], payloads[0]]
        while len(" ".join([*payloads, text])) > SHORT[tag]:
            payloads.pop()
    return " ".join([*payloads, text]).strip()


# Substrings that are inert only when escaped: none may appear as such in an HTML page.
RAW = ["<script>window.__xss", "<img src=x onerror", "<svg onload", '" onmouseover="window']


class _Dom(HTMLParser):
    """Collects what a browser would run: handlers, javascript: URLs, script bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._script: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on") and "__xss" in value:
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data") and (
                value.strip().lower().startswith("javascript:")
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and values.get("src") == "x":
            self.problems.append("an injected <img src=x>")
        if tag == "svg" and "onload" in values:
            self.problems.append("an injected <svg onload>")
        if tag == "script":
            self._script = values

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            kind = self._script.get("type", "")
            if kind == "application/json":
                json.loads(data)  # data islands must stay JSON (json_script escapes `<`)
            elif "__xss" in data:
                self.problems.append(f"a script block holding the payload: {data[:80]!r}")
        else:
            self.text.append(data)


def dangers(html: str) -> list[str]:
    """What in this HTML would run the corpus, or shows it unescaped."""
    dom = _Dom()
    dom.feed(html)
    dom.close()
    raw = [f"unescaped {r!r}" for r in RAW if r in html]
    return raw + dom.problems


def codes_in(text: str) -> set[str]:
    """The fields whose text this string carries."""
    return {tag for tag, code in CODES.items() if code in text}


def build_xss_world(users: dict[str, Any]) -> Any:
    from tests.security.object_world import build_object_world

    return build_object_world(users, say=hostile)
