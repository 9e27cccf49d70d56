"""The workspace's main navigation, for base.html's `nav_items` (a context processor).

An area whose pages are not installed is simply left out, so the menu never links to a
404. "Portfolio" is drawn by base.html itself."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from questionnaires.core.tenancy import membership_of

# (URL name, label, the start of the URL names that mark it as the current page)
AREAS = [
    ("workspace:templates-list", "Questionnaires", "templates-"),
    ("workspace:vendors-list", "Vendors", "vendors-"),
    ("workspace:scenarios-list", "Scenarios", "scenarios-"),
    ("workspace:audit", "Audit trail", "audit"),
    ("workspace:members", "Settings", ("member", "notifications", "cadence")),
]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def nav_items(request) -> dict:
    if membership_of(request) is None:
        return {}
    match = getattr(request, "resolver_match", None)
    current = match.url_name or "" if match and match.namespace == "workspace" else ""
    items = []
    for name, label, prefix in AREAS:
        url = _url(name)
        if url is not None:
            items.append({"url": url, "label": label, "current": current.startswith(prefix)})
    return {"nav_items": items}
