"""The enumerations of the store's columns, stored as their plain string values (so the database stays
readable and portable between SQLite and PostgreSQL); ``store.models`` re-exports them."""

from __future__ import annotations

from enum import StrEnum


class VisitKind(StrEnum):
    PLANNED = "planned"
    UNANNOUNCED = "unannounced"


class VisitStatus(StrEnum):
    DRAFT = "draft"  # set up, not yet on site
    ON_SITE = "on_site"  # inspection in progress
    CLOSED = "closed"  # checked complete and locked, minutes not yet signed
    SIGNED = "signed"  # minutes signed digitally
    FILED = "filed"  # received by the Director's office

    @property
    def locked(self) -> bool:
        return self in (VisitStatus.CLOSED, VisitStatus.SIGNED, VisitStatus.FILED)


class TeamRole(StrEnum):
    LEADER = "leader"  # Trưởng đoàn
    DEPUTY = "deputy"  # Phó trưởng đoàn
    MEMBER = "member"  # Thành viên
    SECRETARY = "secretary"  # Thư ký


class Side(StrEnum):
    TEAM = "team"
    UNIT = "unit"


class SignerRole(StrEnum):
    UNIT_REPRESENTATIVE = "unit_representative"
    TEAM_LEADER = "team_leader"
    SECRETARY = "secretary"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT_EXCUSED = "absent_excused"
    ABSENT_UNEXCUSED = "absent_unexcused"
    LEFT_POST = "left_post"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class RemedyStatus(StrEnum):
    OPEN = "open"
    REPORTED = "reported"  # the unit reported back
    DONE = "done"  # the office accepted the report
