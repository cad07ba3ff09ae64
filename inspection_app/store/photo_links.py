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

from datetime import datetime

from sqlmodel import Field, SQLModel

from .types import UTCDateTime, new_id, utcnow


class PhotoExtraLink(SQLModel, table=True):
    # the columns of models.Timestamped and models._id, written out: this module is imported at the end
    # of models.py and imports nothing from it (no import cycle); rows are only inserted and deleted
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    visit_id: str = Field(foreign_key="visit.id", index=True)
    photo_id: str = Field(foreign_key="photo.id", index=True)
    checklist_id: str | None = None  # with item_id: a checklist item of the visit
    item_id: str | None = None
    finding_id: str | None = Field(default=None, foreign_key="finding.id", index=True)
    recorded_by: str = ""

