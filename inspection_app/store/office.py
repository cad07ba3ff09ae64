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

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from .base import Timestamped, _id


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
    staff_id: str | None = Field(default=None, foreign_key="staffmember.id", index=True)
    handling: str = "none"  # domain.outcomes.Handling
    decided_on: date | None = None
    document: str = ""  # e.g. "Quyết định số 15/QĐ-UBND ngày 02/4/2026"
    note: str = ""
    recorded_by: str = ""


# --- the per-visit tally cache (issue #17 point 3) --------------------------------------------------
#
# ``services.dashboard`` keeps, per visit, the counters of ``domain.report.Metrics`` (its unit and
# local month beside them), so the dashboard and the visits table add up one row per visit instead
# of counting every finding, answer and roll-call entry again. A row is valid for one ``basis`` (the
# tally's version and the checklists' item kinds). Database triggers delete a visit's row whenever
# anything it was counted from changes — whoever writes (the app's sessions, a bundle merge's bulk
# statements, a script) — so a stale row is never read; the next reader counts that visit again.

from sqlalchemy import Column, Connection, Integer, String, Table, text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from ..domain.report import TALLY_FIELDS  # noqa: E402
from .types import UTCDateTime  # noqa: E402

visit_tally = Table(
    "visittally", SQLModel.metadata,
    Column("visit_id", String(36), primary_key=True),
    Column("basis", String(64), nullable=False, server_default=""),
    Column("unit_id", String(36), nullable=False, index=True, server_default=""),
    Column("status", String(16), nullable=False, server_default=""),  # the visit's, when counted
    Column("day", String(10), nullable=False, index=True, server_default=""),  # local "YYYY-MM-DD" of the visit
    Column("month", String(7), nullable=False, server_default=""),  # local "YYYY-MM"
    *[Column(name, Integer, nullable=False, server_default="0") for name in TALLY_FIELDS],
    # The moment that dates the visit (arrival, else creation; UTC), so that the visits table filtered
    # by a violation kind takes its page newest first from an index instead of sorting every match.
    Column("at", UTCDateTime(), nullable=True),
)
Index("ix_visittally_at_visit", visit_tally.c.at.desc(), visit_tally.c.visit_id)
# The dashboard adds tally rows up per (unit, month): read in that order, without sorting them first.
Index("ix_visittally_basis_unit_month", visit_tally.c.basis, visit_tally.c.unit_id, visit_tally.c.month)

# Tables a tally is counted from, and the column naming their visit.
TALLY_SOURCES = {"finding": "visit_id", "findingperson": "visit_id", "rollcallentry": "visit_id",
                 "answer": "visit_id", "dossiercheck": "visit_id", "visit": "id"}

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION visittally_forget() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    EXECUTE 'DELETE FROM visittally WHERE visit_id = $1.' || quote_ident(TG_ARGV[0]) USING OLD;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    EXECUTE 'DELETE FROM visittally WHERE visit_id = $1.' || quote_ident(TG_ARGV[0]) USING NEW;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""


def ensure_tally_triggers(conn: Connection) -> None:
    """Create (idempotently) the triggers that forget a visit's tally when its sources change.

    Looks first, so that readers starting together take no schema lock when the triggers exist.
    """
    if conn.dialect.name == "postgresql":
        have = conn.execute(text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'visittally_forget_%'")).scalar()
        if have == len(TALLY_SOURCES):
            return
        conn.execute(text(_PG_FUNCTION))
        for table, col in TALLY_SOURCES.items():
            conn.execute(text(f"CREATE OR REPLACE TRIGGER visittally_forget_{table} AFTER INSERT OR UPDATE OR "
                              f"DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION visittally_forget('{col}')"))
        return
    have = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                             "AND name LIKE 'visittally_forget_%'")).scalar()
    if have == 3 * len(TALLY_SOURCES):
        return
    for table, col in TALLY_SOURCES.items():
        for op, refs in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            keys = ", ".join(f"{r}.{col}" for r in refs)
            conn.execute(text(f"CREATE TRIGGER IF NOT EXISTS visittally_forget_{table}_{op.lower()} AFTER {op} ON "
                              f"{table} BEGIN DELETE FROM visittally WHERE visit_id IN ({keys}); END"))
