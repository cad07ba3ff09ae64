"""Which screen answers which route.

Another screen (the office review, the dossier sampling) plugs in by adding a line to ``ROUTES``
or ``VISIT_SECTIONS``; the shell's navigation lists its destinations in ``shell.GLOBAL_NAV`` and
``shell.VISIT_NAV``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import (  # noqa: F401
    checklist,
    close,
    conclusions,
    dossiers,
    findings,
    home,
    minutes,
    photos,
    review,
    review_bundles,
    review_dashboard,
    review_outcomes,
    review_remedies,
    review_visit,
    review_visits,
    roll_call,
    settings,
    signatures,
    visit_setup,
)

if TYPE_CHECKING:
    from ..shell import Shell
    from .base import Screen

ROUTES = {
    "/": home.HomeScreen,
    "/visits/new": visit_setup.SetupScreen,
    "/settings": settings.SettingsScreen,
    "/review": review_visits.ReviewVisitsScreen,  # the office review screens (review_*.py)
    "/review/dashboard": review_dashboard.ReviewDashboardScreen,
    "/review/remedies": review_remedies.ReviewRemediesScreen,
    "/review/outcomes": review_outcomes.ReviewOutcomesScreen,
    "/review/bundles": review_bundles.ReviewBundlesScreen,
}
VISIT_SECTIONS = {
    "checklist": checklist.ChecklistScreen,
    "roll-call": roll_call.RollCallScreen,
    "dossiers": dossiers.DossiersScreen,
    "findings": findings.FindingsScreen,
    "photos": photos.PhotosScreen,
    "signatures": signatures.SignaturesScreen,
    "conclusions": conclusions.ConclusionsScreen,
    "close": close.CloseScreen,
    "minutes": minutes.MinutesScreen,
    "info": visit_setup.VisitInfoScreen,
    "setup": visit_setup.SetupEditScreen,
}
VISIT_ROUTE = re.compile(r"^/visits/(?P<visit_id>[0-9A-Za-z-]+)/(?P<section>[a-z-]+)/?$")
REVIEW_VISIT_ROUTE = re.compile(r"^/review/visits/(?P<visit_id>[0-9A-Za-z-]+)/?$")


def screen_for(app: Shell, route: str) -> Screen:
    path = (route or "/").split("?", 1)[0]
    if path in ROUTES:
        return ROUTES[path](app)
    if m := REVIEW_VISIT_ROUTE.match(path):
        return review_visit.ReviewVisitScreen(app, record_id=m["visit_id"])
    m = VISIT_ROUTE.match(path)
    if m and m["section"] in VISIT_SECTIONS:
        return VISIT_SECTIONS[m["section"]](app, visit_id=m["visit_id"])
    return home.HomeScreen(app)
