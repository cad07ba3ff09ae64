"""Closing a visit: everything that keeps it open (``missing_before_close``: checklist and dossier gaps,
the team leader, the signatures, and signatures given on content that changed since), then the lock.
Above ``visits`` and ``minutes_signatures``, which it reads; neither imports it."""

from __future__ import annotations

from inspection_app.domain.errors import Phrase
from inspection_app.locale import both

from ..domain.errors import ValidationFailed
from ..store.models import Side, SignerRole, TeamRole, Visit, VisitStatus
from ..store.types import utcnow
from . import checklists as checklist_service
from .common import visit_for_update
from .context import AppContext
from .minutes_signatures import stale_signatures
from .visits import _SIGNER_LABEL, REQUIRED_SIGNERS, Missing, list_signatures, participants


def missing_before_close(ctx: AppContext, visit_id: str) -> list[Missing]:
    """Everything that keeps the visit from being closed; empty when it can be closed."""
    from . import sampling  # on use: the first screen needs no sampling code (start-up, issue #17)

    gaps = checklist_service.gaps(ctx, visit_id) + sampling.dossier_gaps(ctx, visit_id)
    out = [Missing(g.kind, g.vi, g.en, g.checklist_id, g.item_id) for g in gaps]
    team = participants(ctx, visit_id, Side.TEAM.value)
    if not any(p.role == TeamRole.LEADER for p in team):
        out.append(Missing("team", *both("Chưa có Trưởng đoàn trong thành phần Đoàn.")))
    signatures = list_signatures(ctx, visit_id)
    for role in REQUIRED_SIGNERS:
        sig = signatures.get(role.value)
        if sig is None:
            vi, en = _SIGNER_LABEL[role]
            out.append(Missing("signature", *both("Chưa có chữ ký hoặc ghi nhận từ chối ký của {what}.", what=Phrase(vi, en))))
        elif sig.refused and role is not SignerRole.UNIT_REPRESENTATIVE:
            vi, en = _SIGNER_LABEL[role]
            out.append(Missing("signature", *both("{what} thuộc Đoàn kiểm tra phải ký biên bản.", what=Phrase(vi, en))))
    if signatures:  # signatures given on other content must be given again (issue #11, point 3)
        out += stale_signatures(ctx, visit_id)
    return out


def close_visit(ctx: AppContext, visit_id: str) -> Visit:
    """Check completeness, then lock the visit (read-only from now on)."""
    missing = missing_before_close(ctx, visit_id)
    if missing:
        raise ValidationFailed(
            "Chưa thể kết thúc lượt kiểm tra:\n- {value}", value=Phrase("\n- ".join(m.vi for m in missing), "\n- ".join(m.en for m in missing)),
            missing=missing,
        )
    with ctx.session() as s:
        visit = visit_for_update(s, visit_id)
        now = utcnow()
        visit.status = VisitStatus.CLOSED.value
        visit.closed_at = now
        visit.ended_at = visit.ended_at or now
        s.add(visit)
        return visit
