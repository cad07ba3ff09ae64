"""A photo linked to more than one thing (issue #13): the second and further links of a photo.

A :class:`~inspection_app.store.models.Photo` keeps its first link in its own columns (a checklist
item, a finding, a person or a dossier) and stays one record per picture in a visit (unique
``visit_id, sha256``), so the minutes' photo annex shows it once, with one reference (A1, A2 …).
Each further link is a :class:`PhotoExtraLink` row to a checklist item or a finding of the same visit.
The rows belong to the visit: audited, refused once the visit is locked, carried in bundles
(``VISIT_OWNED``); they go with their photo and with their finding (``services.photos``,
``services.findings``).
"""

from __future__ import annotations

from typing import Optional

from sqlmodel import Field, Session, func, select

from .models import Timestamped, _id


class PhotoExtraLink(Timestamped, table=True):
    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    photo_id: str = Field(foreign_key="photo.id", index=True)
    checklist_id: Optional[str] = None  # with item_id: a checklist item of the visit
    item_id: Optional[str] = None
    finding_id: Optional[str] = Field(default=None, foreign_key="finding.id", index=True)
    recorded_by: str = ""


def extra_evidence_counts(session: Session, visit_id: str) -> list[tuple[str, str, int]]:
    """(checklist id, item id, number of further links) for the close check: a photo linked as well
    to an item, or to a finding on that item, is evidence for the item."""
    from .models import Finding  # the models module imports this one at its end

    direct = session.exec(select(PhotoExtraLink.checklist_id, PhotoExtraLink.item_id, func.count())
                          .where(PhotoExtraLink.visit_id == visit_id, PhotoExtraLink.item_id.is_not(None))
                          .group_by(PhotoExtraLink.checklist_id, PhotoExtraLink.item_id)).all()
    via_finding = session.exec(select(Finding.checklist_id, Finding.item_id, func.count())
                               .join(PhotoExtraLink, PhotoExtraLink.finding_id == Finding.id)
                               .where(Finding.visit_id == visit_id, Finding.item_id.is_not(None))
                               .group_by(Finding.checklist_id, Finding.item_id)).all()
    return [(c, i, n) for c, i, n in [*direct, *via_finding]]
