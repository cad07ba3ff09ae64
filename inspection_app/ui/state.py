"""What one session (one tablet tab or window) carries from screen to screen.

A screen is built anew on every visit to its route; what it must hand to the next screen, or find
again when it comes back, lives here, one typed field per fact (it replaced a dict of string keys).
Nothing here is saved: what must survive a reload or a restart is a draft in the database
(``services.drafts``) or a record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple


class FindingLink(NamedTuple):
    """"Record a finding for this": the findings screen opens its form linked to it
    (``kind`` "item": a checklist item, ``target`` = (checklist id, item id))."""

    kind: str
    checklist_id: str
    item_id: str


@dataclass
class ReviewPeriod:
    """The office dashboard's chosen period and unit (kept while the office moves between tabs)."""

    period: str = "all"
    date_from: date | None = None
    date_to: date | None = None
    unit_id: str | None = None


@dataclass
class SessionState:
    # who is recording on this tablet (chosen from the visit's team; every write carries the name)
    user: str = ""
    # checklist screen: the checklist (tab) to open, and the item to scroll to (a "jump")
    checklist: str | None = None
    checklist_item: str | None = None
    # findings screen: open the form linked to this
    finding_link: FindingLink | None = None
    # office review: the visits table's filters and page (VisitFilters, page number)
    review_visits: tuple[Any, int] | None = None
    review_period: ReviewPeriod | None = None
    # dossier sampling, per visit id: the dossier open in detail, a prepared (not yet drawn) sample
    dossier_open: dict[str, str] = field(default_factory=dict)
    dossier_prepared: dict[str, Any] = field(default_factory=dict)
    # roll call: the roster's order chosen on screen ("file", "name", "department"; services.roll_call)
    roster_order: str = "file"
