"""Stored XSS in a real browser: the corpus in every text field, and nothing runs.

The world is tests/security/xss_corpus.py's: the object world with the XSS corpus in every
free-text field. Its payloads set `window.__xss`; an init script listens for Content
Security Policy violations, so an injected script or handler that CSP stopped is caught
too (CSP is the second wall; escaping must hold on its own). Every page that shows the
fields is visited, the network diagrams are drawn and each node selected (its details go
into the side panel), every element gets mouseover and focus events, and then neither
flag may be set.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from tests.security.xss_corpus import CODES, build_xss_world

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sample);
});
"""
# An inline script added by the page itself: CSP must refuse it, and the listener hear it.
SELF_TEST = """async () => {
  const s = document.createElement("script");
  s.textContent = "window.__xss = 'self-test'";
  document.body.appendChild(s);
  await new Promise((r) => setTimeout(r, 50));
  const heard = window.__csp.length > 0 && window.__xss === undefined;
  window.__csp = [];
  return heard;
}"""
SELF_TEST_HASH = base64.b64encode(hashlib.sha256(b"window.__xss = 'self-test'").digest()).decode()
POKE = """() => {
  for (const el of document.querySelectorAll("body *")) {
    el.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
    el.dispatchEvent(new FocusEvent("focus"));
  }
  const root = document.getElementById("network");
  const cy = root && root.networkDiagram;
  if (cy) { cy.nodes().forEach((n) => { n.select(); n.unselect(); }); }
  return true;
}"""


def _pages(world: Any) -> dict[str, list[str]]:
    from shinealight.people.models import ReviewDecision

    own, foreign = world.own, world.foreign
    decided = ReviewDecision.objects.get(pk=own.review_decision).item_id
    analyst = [
        "/",
        "/records/",
        f"/records/{own.record[0]}/{own.record[1]}",
        "/records/rmbc-csc/OWN-S1",
        "/records/swy-police/FOR-S1",
        "/search?q=Amy",
        f"/people/{own.child}",
        f"/people/{own.adult}",
        f"/people/{own.more['vehicle']}",
        "/alerts",
        f"/alerts/{own.alert}",
        f"/alerts/{own.alert}/network",
        f"/network/person/{own.adult}",
        "/cases/meetings",
        f"/cases/meetings/{own.meeting}",
        "/cases/actions?scope=all",
        f"/cases/actions/{own.action}",
        "/review",
        f"/review/{own.review_item}",
        f"/review/{decided}",
        f"/access/children/{foreign.child}/accessed",
    ]
    practitioner = [
        "/",
        "/records/rmbc-csc/OWN-C1",  # sealed: handling conditions, only its own agency
        f"/people/{own.child}",
        "/access/break-glass",
        "/intelligence/sent",
    ]
    manager = ["/access/break-glass/log", f"/access/children/{own.child}/accessed"]
    return {"analyst": analyst, "practitioner": practitioner, "manager": manager}


def test_nothing_from_the_corpus_runs_in_the_browser(visit: Any, users: dict[str, Any]) -> None:
    CODES.clear()
    world = build_xss_world(users)
    fired = []
    for who, paths in _pages(world).items():
        tab = visit()
        tab.page.context.add_init_script(script=LISTEN)
        tab.sign_in(who)
        tab.go("/")
        assert tab.page.evaluate(SELF_TEST), "the CSP listener heard nothing, or CSP let it run"
        for path in paths:
            response = tab.go(path)
            assert response is not None and response.status == 200, (who, path)
            tab.page.wait_for_load_state("load")
            if "/network" in path:
                tab.page.wait_for_function(
                    "() => document.getElementById('network').networkDiagram !== undefined"
                )
            tab.page.evaluate(POKE)
            ran = tab.page.evaluate("() => window.__xss")
            blocked = tab.page.evaluate("() => window.__csp")
            if ran is not None:
                fired.append(f"{who} {path}: ran the payload of field {ran!r}")
            assert blocked is not None, "the CSP listener is not installed"
            if blocked:
                fired.append(f"{who} {path}: CSP blocked {blocked}")
        problems = [
            p
            for p in tab.problems
            if ("Content Security Policy" in p and SELF_TEST_HASH.lower() not in p.lower())
            or "__xss" in p
        ]
        fired += [f"{who}: {p}" for p in problems]
    assert not fired, "\n".join(fired)
