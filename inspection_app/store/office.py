"""Office tables for issue #12: the people a finding concerns, and what happened to each violator.

- :class:`FindingPerson` links a finding to each staff member it concerns (a finding can concern
  several people: two smokers in one room). It belongs to the visit (audited, locked with it, carried
  in bundles). ``Finding.staff_id`` stays as the first person, for older readers.
- :class:`Outcome` is what the office decided about one violation of one person (or, for a violation
  with no person named, of the unit): the handling (``domain.outcomes``), its date and document. It
  is written at the office after the visit is signed, so it is not part of the visit's locked record.

A violation is identified by ``(visit_id, kind, subject)``; ``subject`` is ``"p:<staff id>"`` for a
person, ``"i:<checklist id>/<item id>"`` for a checklist item, ``"f:<finding id>"`` for a finding
with neither (``services.violation_tally``).
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from .models import Answer, Finding, RollCallEntry, Timestamped, _id


class FindingPerson(Timestamped, table=True):
    __table_args__ = (UniqueConstraint("finding_id", "staff_id"),)
    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    finding_id: str = Field(foreign_key="finding.id", index=True)
    staff_id: str = Field(foreign_key="staffmember.id", index=True)


class Outcome(Timestamped, table=True):
    __table_args__ = (UniqueConstraint("visit_id", "kind", "subject"),)
    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    kind: str  # domain.violations.ViolationKind
    subject: str  # "p:<staff id>", "i:<checklist>/<item>" or "f:<finding id>"
    staff_id: Optional[str] = Field(default=None, foreign_key="staffmember.id", index=True)
    handling: str = "none"  # domain.outcomes.Handling
    decided_on: Optional[date] = None
    document: str = ""  # e.g. "Quyết định số 15/QĐ-UBND ngày 02/4/2026"
    note: str = ""
    recorded_by: str = ""


# Covering indexes for the violation tally (services.violation_tally): per visit, without the rows.
Index("ix_finding_visit_kind_staff_item", Finding.visit_id, Finding.kind, Finding.staff_id, Finding.checklist_id,
      Finding.item_id)
Index("ix_rollcallentry_visit_status_staff", RollCallEntry.visit_id, RollCallEntry.status, RollCallEntry.staff_id)
Index("ix_answer_visit_value_item", Answer.visit_id, Answer.value, Answer.checklist_id, Answer.item_id)
