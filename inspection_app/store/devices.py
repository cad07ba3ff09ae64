"""Tables of the trust between devices: enrolled devices, the audit-chain heads seen from them,
and the digest of each visit's content taken when its minutes were signed (issue #10).

- :class:`EnrolledDevice`: a tablet whose bundles this office accepts, known by its Ed25519 public
  key; enrolled once by a reviewer who compared the key's short fingerprint on both screens.
- :class:`ChainHead`: the last audit event of each (visit, device) chain seen in a verified bundle;
  a later bundle must carry the same event at that index (it extends the chain, never rewrites it).
- :class:`VisitSeal`: the SHA-256 of a visit's content at the moment its minutes were signed, so the
  record screen can say whether the stored records still are what was signed.
- :class:`MergedUnit`: a unit a reviewer merged into another (issue #12): a later bundle naming the
  merged unit's id lands on the unit kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, new_id, utcnow


def _when(default_now: bool = False) -> Any:
    if default_now:
        return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    return Field(default=None, sa_type=UTCDateTime, nullable=True)


class EnrolledDevice(SQLModel, table=True):
    """A device whose signed bundles are accepted here."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    device_id: str = Field(index=True)  # the device's settings.device_id, as its bundles name it
    public_key: str = Field(unique=True)  # raw Ed25519 public key, base64
    fingerprint: str = ""  # short form shown on both screens, e.g. "3F2A-9C01-77BE-D410"
    name: str = ""  # what the reviewer calls it: "Máy tính bảng 2 – Đoàn 1"
    enrolled_by: str = ""
    enrolled_at: datetime = _when(default_now=True)
    revoked_at: datetime | None = _when()


class ChainHead(SQLModel, table=True):
    """The furthest event of one audit chain (visit, device) seen in a verified bundle."""

    __table_args__ = (UniqueConstraint("visit_id", "device_id"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    visit_id: str = Field(index=True)
    device_id: str = ""
    chain_index: int = 0
    hash: str = ""
    seen_at: datetime = _when(default_now=True)


class VisitSeal(SQLModel, table=True):
    """The digest of a visit's content when a minutes version was signed (services.visit_digest)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    visit_id: str = Field(index=True)
    minutes_id: str = ""
    algorithm: str = "visit-content-v1"
    digest: str = ""
    sealed_at: datetime = _when(default_now=True)


class MergedUnit(SQLModel, table=True):
    """A unit id merged into another one by a reviewer (``services.unit_merge``)."""

    unit_id: str = Field(primary_key=True, max_length=36)  # the id that no longer exists here
    into_id: str = Field(index=True)  # the unit kept
    merged_by: str = ""
    merged_at: datetime = _when(default_now=True)
