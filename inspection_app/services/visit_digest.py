"""The digest of a visit's content at signing (issue #10, point 3).

When the team leader signs a minutes version, the SHA-256 of the visit's recorded content is kept
(:class:`~inspection_app.store.devices.VisitSeal`); it travels with the visit in bundles. The record
screen compares it with the content stored now, so a reviewer sees at a glance whether the records
are still what was signed.

What the digest covers: the visit's own fields and every record of its participants, answers,
findings, photos (by content hash and details, not by where the file lies), roll call, dossier
sample and checks, pad signatures and requested fixes. Left out, because they legitimately change
after signing: the visit's status (signed → filed) and the id of its unit (two records of one unit
merged at the office, ``services.unit_merge``), bookkeeping times, file locations, the minutes
documents themselves (their PDF signatures protect them), and the follow-up of requested fixes
(status, report-back date and text, reviewer).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from ..store import models as m
from ..store.audit import _plain
from .context import AppContext

ALGORITHM = "visit-content-v1"
_TABLES = (m.Participant, m.Answer, m.Finding, m.Photo, m.RollCallEntry, m.Sample, m.DossierCheck,
           m.Signature, m.Remedy)
_SKIP = {"created_at", "updated_at"}
_SKIP_PER_TABLE = {
    "visit": {"status", "unit_id"},  # a unit merged into its twin at the office is the same unit
    "photo": {"original_path", "report_path", "thumb_path"},
    "remedy": {"status", "reported_on", "report_text", "reviewed_by"},
}


def visit_digest(session: Session, visit_id: str) -> str:
    """SHA-256 (hex) of the canonical JSON of the visit's content, as listed in the module doc."""
    visit = session.get(m.Visit, visit_id)
    if visit is None:
        return ""
    content: dict[str, list[dict[str, Any]]] = {"visit": [_row(visit, "visit")]}
    for model in _TABLES:
        name = str(model.__tablename__)
        rows = session.execute(select(model).where(col(model.visit_id) == visit_id)).scalars().all()
        content[name] = sorted((_row(r, name) for r in rows), key=lambda r: r["id"])
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _row(obj: Any, name: str) -> dict[str, Any]:
    skip = _SKIP | _SKIP_PER_TABLE.get(name, set())
    return {c.name: _plain(getattr(obj, c.name)) for c in obj.__table__.columns if c.name not in skip}


def seal(ctx: AppContext, visit_id: str, minutes_id: str) -> str:
    """Keep the digest of the visit's content for this signed minutes version (once)."""
    with ctx.session() as s:
        known = s.execute(select(m.VisitSeal).where(col(m.VisitSeal.visit_id) == visit_id,
                                                    col(m.VisitSeal.minutes_id) == minutes_id)).scalars().first()
        if known is not None:
            return str(known.digest)
        digest = visit_digest(s, visit_id)
        s.add(m.VisitSeal(visit_id=visit_id, minutes_id=minutes_id, algorithm=ALGORITHM, digest=digest))
        return digest


@dataclass(frozen=True)
class SealCheck:
    state: str  # "none" (no digest kept: signed elsewhere by an older version, or not signed), "match", "changed"
    sealed_at: datetime | None = None
    minutes_number: str = ""
    version: int = 0


def check(ctx: AppContext, visit_id: str) -> SealCheck:
    """Whether the visit's stored records still match the digest taken when its minutes were signed
    (the latest signed version's first digest)."""
    with ctx.session() as s:
        docs = s.execute(select(m.MinutesDocument).where(col(m.MinutesDocument.visit_id) == visit_id,
                                                         col(m.MinutesDocument.signed).is_(True))
                         .order_by(col(m.MinutesDocument.version).desc())).scalars().all()
        for doc in docs:
            seal_row = s.execute(select(m.VisitSeal).where(col(m.VisitSeal.visit_id) == visit_id,
                                                           m.VisitSeal.minutes_id == doc.id)
                                 .order_by(col(m.VisitSeal.sealed_at))).scalars().first()
            if seal_row is None:
                continue
            now = visit_digest(s, visit_id)
            return SealCheck("match" if now == seal_row.digest else "changed", seal_row.sealed_at, doc.number,
                             doc.version)
        return SealCheck("none")


__all__ = ["visit_digest", "seal", "check", "SealCheck", "ALGORITHM"]
