"""Signatures drawn on the tablet, bound to the minutes' content they were given on (issue #11,
point 3; issue #13, point 8).

- Signatures are collected after the conclusions: section III (the team's assessment) and the time
  the minutes end must be written first, since both are printed above the signatures.
- A mark too short or too small to be a signature (a tap, two taps, a wiggle) is refused
  (:func:`~inspection_app.domain.minutes_rules.signature_problem`).
- Each drawn signature records :func:`~inspection_app.domain.minutes_digest.content_digest` of the content it
  was given on. Any later change of the content makes it *stale* ("phải ký lại"): it is not drawn on
  the minutes, the signatures screen shows it, and closing the visit waits for it
  (:func:`stale_signatures`, called by ``services.visit_close.missing_before_close``).
- A refusal to sign changes section V and the closing sentence; the signatures drawn before it are
  therefore stale too and are given again on the new text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import select

from inspection_app.domain.errors import Phrase
from inspection_app.locale import N_p, both

from ..domain.errors import ValidationFailed
from ..domain.minutes_rules import check_length, signature_problem
from ..store.models import Signature, SignerRole
from . import visits as visit_service
from .context import AppContext
from .minutes_content import current_digest

SIGNED, STALE, REFUSED, UNSIGNED = "signed", "stale", "refused", "unsigned"

_ROLE_VI = {
    SignerRole.TEAM_LEADER.value: both(N_p("services.minutes_signatures", "Trưởng đoàn")),
    SignerRole.SECRETARY.value: both(N_p("services.minutes_signatures", "Thư ký")),
    SignerRole.UNIT_REPRESENTATIVE.value: both(N_p("services.minutes_signatures", "Đại diện đơn vị được kiểm tra")),
}


@dataclass(frozen=True)
class SignatureState:
    """One signer's state: ``signed`` (on the current content), ``stale`` (phải ký lại),
    ``refused``, or ``unsigned``; ``signature`` is the stored row, if any."""

    role: str
    state: str
    signature: Signature | None


def conclusions_missing(ctx: AppContext, visit_id: str) -> list[tuple[str, str]]:
    """What must be written before anyone signs: (vi, en) lines; empty when signing can start."""
    visit = visit_service.get_visit(ctx, visit_id)
    out = []
    if not (visit.assessment or "").strip():
        out.append(both("Chưa ghi phần III. Đánh giá chung."))
    if visit.ended_at is None:
        out.append(both("Chưa ghi giờ kết thúc biên bản."))
    return out


def _require_conclusions(ctx: AppContext, visit_id: str) -> None:
    missing = conclusions_missing(ctx, visit_id)
    if missing:
        raise ValidationFailed(
            "Chữ ký được lấy sau khi viết xong phần Đánh giá, kiến nghị (trang Đánh giá, kiến nghị):\n- {value}", value=Phrase("\n- ".join(vi for vi, _ in missing), "\n- ".join(en for _, en in missing)))


def _bind(ctx: AppContext, visit_id: str, role: str) -> Signature:
    digest = current_digest(ctx, visit_id)
    with ctx.session() as s:
        sig = s.exec(select(Signature).where(Signature.visit_id == visit_id, Signature.role == role)).one()
        sig.content_digest = digest
        s.add(sig)
        return sig


def sign(ctx: AppContext, visit_id: str, role: str, full_name: str, strokes: Sequence[Sequence[Sequence[float]]], pad_width: float,
         pad_height: float, position: str = "") -> Signature:
    """Keep a drawn signature bound to the current content of the minutes.

    ``strokes``: [[[x, y], …], …] in pad units, the pad ``pad_width`` × ``pad_height``.
    Raises ValidationFailed before the conclusions are written, and UserError (naming the minimum)
    for a mark that is not a signature.
    """
    _require_conclusions(ctx, visit_id)
    check_length("name", full_name)
    check_length("position", position)
    problem = signature_problem(strokes, pad_width, pad_height)
    if problem is not None:
        raise problem
    visit_service.save_signature(ctx, visit_id, role, full_name, strokes, pad_width, pad_height,
                                 position=position)
    return _bind(ctx, visit_id, role)


def refuse(ctx: AppContext, visit_id: str, role: str, full_name: str, reason: str) -> Signature:
    """Record the unit's refusal to sign with its reason (it changes section V and the closing)."""
    _require_conclusions(ctx, visit_id)
    check_length("name", full_name)
    check_length("reason", reason)
    visit_service.refuse_signature(ctx, visit_id, role, full_name, reason)
    return _bind(ctx, visit_id, role)


def signature_states(ctx: AppContext, visit_id: str) -> dict[str, SignatureState]:
    """Each signer role's state against the content the minutes have now."""
    stored = visit_service.list_signatures(ctx, visit_id)
    digest = current_digest(ctx, visit_id) if stored else ""
    out = {}
    for role in (r.value for r in SignerRole):
        sig = stored.get(role)
        if sig is None:
            state = UNSIGNED
        elif sig.refused:
            state = REFUSED
        else:
            state = SIGNED if sig.content_digest == digest else STALE
        out[role] = SignatureState(role, state, sig)
    return out


def stale_signatures(ctx: AppContext, visit_id: str) -> list[visit_service.Missing]:
    """The signatures that must be given again ("phải ký lại"), as close-check lines."""
    out = []
    for role, st in signature_states(ctx, visit_id).items():
        if st.state == STALE:
            vi, en = _ROLE_VI[role]
            out.append(visit_service.Missing(
                "signature", *both("Chữ ký của {what} phải ký lại: nội dung biên bản đã thay đổi sau khi ký.", what=Phrase(vi, en))))
    return out


__all__ = ["REFUSED", "SIGNED", "STALE", "UNSIGNED", "SignatureState", "conclusions_missing", "refuse",
           "sign", "signature_states", "stale_signatures"]
