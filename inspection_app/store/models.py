"""SQLModel tables.

Conventions (see ARCHITECTURE.md "Data"):
- primary keys are UUID strings, so records from several tablets merge without collisions;
- times are aware datetimes stored as UTC (:class:`UTCDateTime`);
- text is NFC-normalised on flush (``store.db``);
- every record that belongs to a visit carries ``visit_id``; changes to them are written to the
  hash-chained audit log automatically on flush (``store.audit``).

Enumerations are stored as their plain string values, so the database stays readable and portable
between SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel, col

from .base import Timestamped, _added_later, _id, _json, _when

# the enumerations of the columns live in store/enums.py; kept importable here (``x as x`` re-exports)
from .enums import (
    AttendanceStatus as AttendanceStatus,
)
from .enums import (
    RemedyStatus as RemedyStatus,
)
from .enums import (
    Severity as Severity,
)
from .enums import (
    Side as Side,
)
from .enums import (
    SignerRole as SignerRole,
)
from .enums import (
    TeamRole as TeamRole,
)
from .enums import (
    VisitKind as VisitKind,
)
from .enums import (
    VisitStatus as VisitStatus,
)
from .types import new_id

# --- organisation --------------------------------------------------------------------------------


class Unit(Timestamped, table=True):
    """An inspected unit: a department, a commune People's Committee, a health station …"""

    id: str = _id()
    # A stable code (the unit's code in the province's list, or one the office assigns): units set up
    # on two tablets are the same unit when their codes match (issue #12). Empty until known.
    code: str = Field(default="", index=True)
    name: str = Field(index=True)
    kind: str = ""  # data, never hard-coded (two-tier local government since 2025)
    parent_agency: str = ""
    address: str = ""
    head_name: str = ""


class StaffMember(Timestamped, table=True):
    """One person on a unit's roster."""

    id: str = _id()
    unit_id: str = Field(foreign_key="unit.id", index=True)
    full_name: str
    position: str = ""
    department: str = ""
    employment_type: str = ""  # công chức, viên chức, hợp đồng …
    active: bool = True
    staff_code: str = _added_later("", index=True)  # the unit's own staff code, when its roster has one
    roster_row: int = _added_later(0)  # place in the roster file (or after it, for people added by hand): the order shown


class Inspector(Timestamped, table=True):
    id: str = _id()
    full_name: str
    position: str = ""
    organisation: str = ""


# --- visits --------------------------------------------------------------------------------------


class Visit(Timestamped, table=True):
    id: str = _id()
    unit_id: str = Field(foreign_key="unit.id", index=True)
    kind: str = VisitKind.PLANNED.value
    status: str = Field(default=VisitStatus.DRAFT.value, index=True)
    decision_number: str = ""  # Quyết định thành lập Đoàn, e.g. "125/QĐ-SNV"
    decision_date: date | None = None
    decision_issuer: str = _added_later("")  # who signed the decision: "Giám đốc Sở Nội vụ", "Chủ tịch UBND tỉnh"
    plan_reference: str = ""  # Kế hoạch … (free text of older visits; plan_number etc. when known)
    plan_number: str = _added_later("")  # "18/KH-SNV"
    plan_date: date | None = None
    plan_issuer: str = _added_later("")  # "Sở Nội vụ"
    place: str = ""
    arrival_at: datetime | None = _when()  # the team's arrival on site
    ended_at: datetime | None = _when()
    checklists: list[Any] = _json(list)  # [{"id": "working_hours", "version": "1.0"}, …]
    assessment: str = ""  # III. Đánh giá
    unit_opinion: str = ""  # V. Ý kiến của đơn vị được kiểm tra
    minutes_number: str = ""
    closed_at: datetime | None = _when()
    created_by: str = ""
    device_id: str = ""  # the tablet that created it

    @property
    def locked(self) -> bool:
        return VisitStatus(self.status).locked


class Participant(Timestamped, table=True):
    """A member of the team or a representative of the unit taking part in a visit."""

    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    side: str = Side.TEAM.value
    role: str = TeamRole.MEMBER.value  # TeamRole for the team; free text for the unit side
    full_name: str
    position: str = ""
    inspector_id: str | None = Field(default=None, foreign_key="inspector.id")
    staff_id: str | None = Field(default=None, foreign_key="staffmember.id")
    sort_order: int = 0


class Answer(Timestamped, table=True):
    """The answer to one checklist item in one visit; the checklist version is recorded."""

    __table_args__ = (UniqueConstraint("visit_id", "checklist_id", "item_id"),)
    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    checklist_id: str
    checklist_version: str
    item_id: str
    value: str | None = None  # pass / fail / na, a number, "HH:MM", text, a choice, a staff id
    note: str = ""
    answered_by: str = ""
    answered_at: datetime = _when(default_now=True)


class Finding(Timestamped, table=True):
    """A finding: on its own, or hanging off a checklist item or a person."""

    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    checklist_id: str | None = None
    item_id: str | None = None
    staff_id: str | None = Field(default=None, foreign_key="staffmember.id")
    description: str
    severity: str = Severity.MEDIUM.value
    kind: str = ""  # a domain.violations.ViolationKind code, or "" (not a violation); the office counts it
    explanation_requested: bool = False  # bản tường trình
    place: str = ""
    occurred_at: datetime | None = _when()
    recorded_by: str = ""
    recorded_at: datetime = _when(default_now=True)


class Photo(Timestamped, table=True):
    """Metadata of an evidence photo; the files live content-addressed under the data directory."""

    __table_args__ = (UniqueConstraint("visit_id", "sha256"),)
    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    sha256: str = Field(index=True)
    original_path: str  # relative to the data directory
    report_path: str
    thumb_path: str
    mime: str = ""
    width: int = 0
    height: int = 0
    byte_size: int = 0
    captured_at: datetime | None = _when()
    capture_offset: str = ""  # EXIF OffsetTimeOriginal, e.g. "+07:00"
    device_make: str = ""
    device_model: str = ""
    gps_lat: float | None = None
    gps_lon: float | None = None
    ingested_at: datetime = _when(default_now=True)
    clock_skew: bool = False  # capture time far from ingest time
    caption: str = ""
    checklist_id: str | None = None
    item_id: str | None = None
    finding_id: str | None = Field(default=None, foreign_key="finding.id")
    staff_id: str | None = Field(default=None, foreign_key="staffmember.id")
    dossier_check_id: str | None = Field(default=None, foreign_key="dossiercheck.id")
    recorded_by: str = ""


class RollCallEntry(Timestamped, table=True):
    __table_args__ = (UniqueConstraint("visit_id", "staff_id"),)
    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    staff_id: str = Field(foreign_key="staffmember.id")
    status: str = AttendanceStatus.PRESENT.value
    arrival_time: str | None = None  # "HH:MM", local time on the visit's day
    minutes_late: int | None = None
    reason: str = ""  # công tác, nghỉ phép, ốm …
    evidence: str = ""  # giấy đi công tác, đơn nghỉ phép được duyệt …
    note: str = ""
    recorded_by: str = ""


# --- dossiers and samples -------------------------------------------------------------------------


class Register(Timestamped, table=True):
    """A unit's dossier register, as imported: only the columns the check needs are kept."""

    id: str = _id()
    visit_id: str | None = Field(default=None, foreign_key="visit.id", index=True)
    unit_id: str | None = Field(default=None, foreign_key="unit.id")
    source_name: str = ""
    source_sha256: str = ""
    encoding: str = ""
    sheet: str = ""
    row_count: int = 0
    frame_hash: str = ""
    mapping: dict[Any, Any] = _json(dict)
    problems: list[Any] = _json(list)  # unreadable rows: [{"row": 12, "vi": "…", "en": "…"}]
    imported_by: str = ""


class Dossier(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("register_id", "code"),)
    id: str = _id()
    register_id: str = Field(foreign_key="register.id", index=True)
    code: str
    procedure_name: str = ""
    procedure_code: str = ""
    domain: str = ""  # lĩnh vực
    channel: str = ""
    received_at: datetime | None = _when()
    due_at: datetime | None = _when()
    finished_at: datetime | None = _when()
    returned_at: datetime | None = _when()
    status: str = ""
    processing_unit: str = ""
    note: str = ""


class Sample(Timestamped, table=True):
    """A recorded draw: everything needed to re-draw it from the register file."""

    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    register_id: str = Field(foreign_key="register.id")
    algorithm_version: str
    frame_hash: str
    seed_hex: str = ""  # revealed at the draw
    commitment: str  # SHA-256 of the seed, shown before the draw
    strata: dict[Any, Any] = _json(dict)  # parameters: stratify by, sizes, minimums
    sizes: dict[Any, Any] = _json(dict)  # stratum -> drawn size
    drawn_at: datetime | None = _when()
    drawn_by: str = ""


class DossierCheck(Timestamped, table=True):
    """One sampled dossier and the inspector's check of it."""

    __table_args__ = (UniqueConstraint("sample_id", "dossier_id"),)
    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    sample_id: str = Field(foreign_key="sample.id", index=True)
    dossier_id: str = Field(foreign_key="dossier.id")
    stratum: str = ""
    rank: int = 0
    timeliness: str = ""  # early / on_time / late
    answers: dict[Any, Any] = _json(dict)  # item id -> value
    note: str = ""
    # Additive (issue 5): the dossier checklist the answers belong to, and per-item notes.
    checklist_id: str | None = None
    checklist_version: str | None = None
    notes: dict[Any, Any] | None = Field(default=None, sa_type=JSON, nullable=True)  # item id -> note
    checked_by: str = ""
    checked_at: datetime | None = _when()


# --- signatures, minutes, remedies ----------------------------------------------------------------


class Signature(Timestamped, table=True):
    __table_args__ = (UniqueConstraint("visit_id", "role"),)
    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    role: str  # SignerRole
    full_name: str = ""
    position: str = ""
    strokes: list[Any] = _json(list)  # [[[x, y], …], …] in pad coordinates
    pad_width: float = 0
    pad_height: float = 0
    refused: bool = False
    refusal_reason: str = ""
    signed_at: datetime | None = _when()
    # SHA-256 of the minutes' content the signer was shown (domain.minutes_digest.content_digest); when the
    # content changes afterwards the signature is stale ("phải ký lại") and closing waits for it.
    content_digest: str = _added_later("")


class MinutesDocument(Timestamped, table=True):
    """One version of a visit's minutes. Signed versions are immutable; a correction is a new one."""

    __table_args__ = (UniqueConstraint("visit_id", "version"),)
    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    version: int = 1
    number: str = ""
    file_path: str = ""  # relative to the data directory
    sha256: str = ""
    byte_size: int = 0
    signed: bool = False
    signed_at: datetime | None = _when()
    signer_subject: str = ""
    signer_fingerprint: str = ""
    reason: str = ""  # why this version replaces the previous one


class MinutesCounter(SQLModel, table=True):
    """Minutes numbers per department code and year, never reused."""

    department_code: str = Field(primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int = 0


class Remedy(Timestamped, table=True):
    """A fix the unit is asked to make, with its deadline and the unit's report-back."""

    id: str = _id()
    visit_id: str = Field(foreign_key="visit.id", index=True)
    finding_id: str | None = Field(default=None, foreign_key="finding.id")
    text: str
    deadline: date | None = None
    report_due: date | None = None
    status: str = RemedyStatus.OPEN.value
    reported_on: date | None = None
    report_text: str = ""
    reviewed_by: str = ""


# --- audit and metadata --------------------------------------------------------------------------


class AuditEvent(SQLModel, table=True):
    """One change, chained by hash to the previous event of the same visit and device."""

    seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True, autoincrement=True))
    event_id: str = Field(default_factory=new_id, unique=True, max_length=36)
    visit_id: str = Field(index=True)
    device_id: str = ""
    chain_index: int = 0
    actor: str = ""
    at: datetime = _when(default_now=True)
    entity: str = ""
    entity_id: str = ""
    action: str = ""  # insert / update / delete
    changes: dict[Any, Any] = _json(dict)  # field -> [old, new]
    prev_hash: str = ""
    hash: str = ""


class ChecklistSnapshot(SQLModel, table=True):
    """The exact text of a checklist version a visit used, so old visits render after it changes."""

    key: str = Field(primary_key=True)  # "working_hours@1.0"
    checklist_id: str = Field(index=True)
    version: str
    source_text: str
    sha256: str
    stored_at: datetime = _when(default_now=True)


class AppMeta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str = ""


# Tables whose rows belong to a visit: their changes are audited, and a locked visit refuses them.
VISIT_OWNED: tuple[type[SQLModel], ...] = (Participant, Answer, Finding, Photo, RollCallEntry, Register, Sample,
                                           DossierCheck, Signature, MinutesDocument, Remedy)


# Covering indexes for the office's aggregate queries (services.review.dashboard): each counts one
# table per visit without touching its rows. Existing databases get them on start (_add_missing).
Index("ix_finding_visit_kind", col(Finding.visit_id), col(Finding.kind))
Index("ix_rollcallentry_visit_status", col(RollCallEntry.visit_id), col(RollCallEntry.status))
Index("ix_answer_visit_checklist_value", col(Answer.visit_id), col(Answer.checklist_id), col(Answer.value))
Index("ix_dossiercheck_visit_timeliness", col(DossierCheck.visit_id), col(DossierCheck.timeliness))
# Covering indexes for the violation tally (services.violation_tally): per visit, without the rows. They
# lived in store/office.py; here, office.py imports no table of this module and the two no longer form a cycle.
Index("ix_finding_visit_kind_staff_item", col(Finding.visit_id), col(Finding.kind), col(Finding.staff_id),
      col(Finding.checklist_id), col(Finding.item_id))
Index("ix_rollcallentry_visit_status_staff", col(RollCallEntry.visit_id), col(RollCallEntry.status),
      col(RollCallEntry.staff_id))
Index("ix_answer_visit_value_item", col(Answer.visit_id), col(Answer.value), col(Answer.checklist_id),
      col(Answer.item_id))
# The home screen's newest visits (services.visits.list_visits) without sorting them all (start-up, #17).
Index("ix_visit_created_at", col(Visit.created_at))

# Minutes numbers: blocks reserved per device and the register of issued numbers (issue #11).
from .devices import ChainHead, EnrolledDevice, MergedUnit, VisitSeal  # noqa: E402  (bundles: issue #10)
from .numbering import IssuedNumber, NumberBlock  # noqa: E402

# --- office: people of a finding, outcomes (issue #12) --------------------------------------------
from .office import FindingPerson, Outcome  # noqa: E402
from .sync_records import SyncConflict, SyncImport  # noqa: E402  (what bundle imports changed and kept)

VISIT_OWNED = (*VISIT_OWNED, FindingPerson)  # noqa: F811  (its rows belong to a visit: audited, locked, bundled)
from .drafts import Draft  # noqa: E402  (drafts of typed text: store/drafts.py)

# --- a photo linked to a second item or finding (issue #13) ----------------------------------------
from .photo_links import PhotoExtraLink  # noqa: E402

VISIT_OWNED = (*VISIT_OWNED, PhotoExtraLink)  # noqa: F811  (after Photo and Finding: audited, locked, bundled)

# What ``from ..store import models as m`` offers: the tables defined here and those of the topic modules
# imported above (the checker exports an imported name only when it is listed here).
__all__ = [
    "VISIT_OWNED", "Answer", "AppMeta", "AttendanceStatus", "AuditEvent", "ChainHead", "ChecklistSnapshot",
    "Dossier", "DossierCheck", "Draft", "EnrolledDevice", "Finding", "FindingPerson", "Inspector", "IssuedNumber",
    "MergedUnit", "MinutesCounter", "MinutesDocument", "NumberBlock", "Outcome", "Participant", "Photo",
    "PhotoExtraLink", "Register", "Remedy", "RemedyStatus", "RollCallEntry", "Sample", "Severity", "Side",
    "Signature", "SignerRole", "StaffMember", "SyncConflict", "SyncImport", "TeamRole", "Timestamped", "Unit",
    "Visit", "VisitKind", "VisitSeal", "VisitStatus",
]
