"""What the minutes of a visit say, read from the store (:func:`build_content`), and the state of
the signatures drawn on the tablet against that content.

One source for each fact (issue #11, point 2): the team's arrival comes from ``Visit.arrival_at``
only; the headcount, present and late counts from the roll call (``domain.roll_call`` totals);
the dossier counts from each dossier's timeliness status (``domain.timeliness``), never from the
printed label.

Signatures bound to what they sign (point 3): each drawn signature records
:func:`~inspection_app.domain.minutes_digest.content_digest` of the content it was given on; when the
content changes afterwards it is *stale* ("phải ký lại"), is not drawn on the minutes, and closing
waits for it to be drawn again.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import overload

from sqlmodel import col, select

from inspection_app.locale import both

from ..domain import minutes as dm
from ..domain.answers import display_value, is_failed
from ..domain.checklist import AnswerType, Citations, Item, Verdict
from ..domain.localtime import LOCAL_TZ  # local time has one home
from ..domain.minutes_digest import content_digest
from ..domain.minutes_rules import check_length
from ..domain.roll_call import STATUS_LABELS
from ..domain.timeliness_record import recorded_status
from ..store.models import (
    Dossier,
    DossierCheck,
    Finding,
    Participant,
    Remedy,
    Side,
    Signature,
    TeamRole,
    Unit,
    Visit,
    VisitKind,
)
from . import checklists as checklist_service
from . import photos as photo_service
from . import roll_call as roll_call_service
from . import sampling as sampling_service
from .common import get_or_404
from .context import AppContext
from .numbering import minutes_code

ROLE_LABELS = {
    TeamRole.LEADER.value: "Trưởng đoàn",
    TeamRole.DEPUTY.value: "Phó Trưởng đoàn",
    TeamRole.MEMBER.value: "Thành viên",
    TeamRole.SECRETARY.value: "Thư ký",
}
ATTENDANCE_LABELS: dict[str | None, str] = {**{k: v["vi"] for k, v in STATUS_LABELS.items()}, None: "Chưa điểm danh"}


@overload
def _local(moment: datetime) -> datetime: ...
@overload
def _local(moment: datetime | None) -> datetime | None: ...
def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None) if moment else None


def _sentence_case(text: str) -> str:
    """"ĐOÀN KIỂM TRA CÔNG VỤ" → "Đoàn kiểm tra công vụ"; text not in capitals is kept as typed."""
    text = text.strip()
    if text != text.upper():
        return text
    return text[:1].upper() + text[1:].lower() if text else text


def _team_name(ctx: AppContext) -> str:
    dept = ctx.settings.department
    name = dept.team_title()
    owner = dept.director_title.strip()
    if owner.lower().startswith("giám đốc "):
        name += f" của {owner[len('giám đốc '):].strip()}"
    return name


def _legal_basis(ctx: AppContext, visit: Visit) -> tuple[str, ...]:
    lines = []
    dept = ctx.settings.department
    if visit.decision_number:
        when = f" {dm.vn_date(visit.decision_date)}" if visit.decision_date else ""
        issuer = (visit.decision_issuer or dept.director_title).strip()
        lines.append(f"Căn cứ Quyết định số {visit.decision_number.strip()}{when}"
                     + (f" của {issuer}" if issuer else "")
                     + f" về việc thành lập {dept.team_title()};")
    if visit.plan_number.strip():
        when = f" {dm.vn_date(visit.plan_date)}" if visit.plan_date else ""
        issuer = visit.plan_issuer.strip()
        lines.append(f"Căn cứ Kế hoạch số {visit.plan_number.strip()}{when}"
                     + (f" của {issuer}" if issuer else "") + ";")
    elif visit.plan_reference.strip():
        plan = visit.plan_reference.strip().rstrip(" .;")
        if plan.startswith("Căn cứ"):
            plan = plan[len("Căn cứ"):].strip()
        if plan.startswith("Kế hoạch ") and not plan.startswith("Kế hoạch số"):
            plan = "Kế hoạch số " + plan[len("Kế hoạch "):]
        lines.append(f"Căn cứ {plan};")
    if lines:
        lines[-1] = lines[-1].rstrip(";") + ("." if not lines[-1].endswith(".") else "")
    return tuple(lines)


#: checklist items whose fact now has one home elsewhere (the visit's arrival, the roll call's
#: totals): older visits may still hold answers to them; the minutes print the one source only
SUPERSEDED_ITEMS = frozenset({"wh.arrival_time", "wh.headcount_roster", "wh.headcount_present",
                              "wh.late_count"})
METHOD_ITEM = ("working_hours", "wh.attendance_method")


def _dossier_sample(ctx: AppContext, visit_id: str) -> dm.DossierSample | None:
    """The sample as ``services.sampling`` prints it, each row carrying its status code and whether
    any checked content failed, so the body counts by code and never by label."""
    sample = sampling_service.minutes_sample(ctx, visit_id)
    if sample is None:
        return None
    drawn = [x for x in sampling_service.list_samples(ctx, visit_id) if x.drawn]
    checklist = sampling_service.dossier_checklist(ctx)
    facts: dict[str, tuple[str, bool]] = {}
    for d in sampling_service.sampled_dossiers(ctx, drawn[-1].id):
        failed = False
        for item_id, value in d.answers.items():
            try:
                failed = failed or is_failed(checklist.item(item_id), value)
            except KeyError:
                continue
        if d.apology_flagged and "td.apology_letter" not in d.answers:
            failed = True
        facts[d.code] = (recorded_status(d.timeliness, d.recorded_timeliness), failed)  # confirmed or set
    rows = tuple(dataclasses.replace(r, status=facts.get(r.code, ("", False))[0],
                                     failed=facts.get(r.code, ("", False))[1]) for r in sample.rows)
    return dataclasses.replace(sample, rows=rows)


def _outcome(item: Item, value: str | None) -> tuple[dm.Outcome, str]:
    if value is None:
        return dm.Outcome.UNANSWERED, ""
    if item.answer is AnswerType.PASS_FAIL:
        return ({Verdict.PASS.value: dm.Outcome.PASSED, Verdict.FAIL.value: dm.Outcome.FAILED,
                 Verdict.NA.value: dm.Outcome.NOT_APPLICABLE}.get(value, dm.Outcome.VALUE), "")
    shown = display_value(item, value, "vi")
    if is_failed(item, value):
        return dm.Outcome.FAILED, shown
    return dm.Outcome.VALUE, shown


def build_content(ctx: AppContext, visit_id: str, *, number: int | None = None, version: int = 1,
                  correction_reason: str = "") -> dm.MinutesContent:
    """Everything the minutes of this visit say, read from the store."""
    with ctx.session() as s:
        visit = get_or_404(s, Visit, visit_id, *both("lượt kiểm tra"))
        unit = get_or_404(s, Unit, visit.unit_id, *both("đơn vị"))
        people = list(s.exec(select(Participant).where(Participant.visit_id == visit_id)
                             .order_by(col(Participant.side), col(Participant.sort_order))))
        findings = list(s.exec(select(Finding).where(Finding.visit_id == visit_id)
                               .order_by(col(Finding.recorded_at))))
        remedies = list(s.exec(select(Remedy).where(Remedy.visit_id == visit_id)
                               .order_by(col(Remedy.deadline), col(Remedy.created_at))))
        signatures = {g.role: g for g in s.exec(select(Signature).where(Signature.visit_id == visit_id))}
        dossier_codes = dict(s.exec(select(DossierCheck.id, Dossier.code)
                                    .join(Dossier, col(Dossier.id) == col(DossierCheck.dossier_id))
                                    .where(DossierCheck.visit_id == visit_id)).all())
    checklists = [c for c in checklist_service.visit_checklists(ctx, visit_id) if c.scope == "visit"]
    answers = checklist_service.answers_for(ctx, visit_id)
    photos = photo_service.list_photos(ctx, visit_id)
    sheet = roll_call_service.roll_call_sheet(ctx, visit_id)
    staff_names = {row.staff.id: row.staff.full_name for row in sheet.rows}

    # photo references A1, A2 … in the order the photos were taken into the visit
    refs = {p.id: f"A{i}" for i, p in enumerate(photos, 1)}
    by_item: dict[tuple[str | None, str | None], list[str]] = {}
    by_finding: dict[str, list[str]] = {}
    for p in photos:
        if p.finding_id:
            by_finding.setdefault(p.finding_id, []).append(refs[p.id])
        elif p.checklist_id or p.item_id:
            by_item.setdefault((p.checklist_id, p.item_id), []).append(refs[p.id])
    extras = photo_service.extra_links(ctx, visit_id)  # a photo linked to more than one thing (#13): one ref
    for p in photos:
        for x in extras.get(p.id, []):
            if x.finding_id:
                by_finding.setdefault(x.finding_id, []).append(refs[p.id])
            elif x.item_id:
                by_item.setdefault((x.checklist_id, x.item_id), []).append(refs[p.id])
    findings_by_item: dict[tuple[str | None, str | None], list[Finding]] = {}
    loose: list[Finding] = []
    for f in findings:
        if f.checklist_id and f.item_id:
            findings_by_item.setdefault((f.checklist_id, f.item_id), []).append(f)
        else:
            loose.append(f)

    sections = []
    item_labels: dict[tuple[str, str], str] = {}
    citations = Citations()  # each document in full at its first mention (Nghị định 30/2020, II.6.b)
    for n, checklist in enumerate(checklists, 1):
        items = []
        for i, item in enumerate((x for x in checklist.items if x.id not in SUPERSEDED_ITEMS), 1):
            answer = answers.get((checklist.id, item.id))
            outcome, shown = _outcome(item, answer.value if answer else None)
            notes = [answer.note.strip()] if answer and answer.note.strip() else []
            photo_refs = list(by_item.get((checklist.id, item.id), []))
            for f in findings_by_item.get((checklist.id, item.id), []):
                if f.description.strip() and f.description.strip() not in notes:
                    notes.append(f.description.strip())
                photo_refs += by_finding.get(f.id, [])
            item_labels[(checklist.id, item.id)] = f"{n}.{i} {item.text.vi}"
            items.append(dm.ItemResult(
                item_id=item.id, text=item.text.vi, outcome=outcome, value=shown,
                note=" ".join(x.rstrip(".") + "." for x in notes),
                legal_basis="; ".join(citations.cite(b) for b in item.legal_basis),
                photo_refs=tuple(photo_refs)))
        sections.append(dm.ChecklistSection(checklist_id=checklist.id, version=checklist.version,
                                            title=checklist.title.vi, items=tuple(items)))
    other = []
    for f in loose:
        text = f.description.strip().rstrip(".") + "."
        if f.explanation_requested and "tường trình" not in text:
            text += " Đã yêu cầu viết bản tường trình."
        if by_finding.get(f.id):
            text += f" (Ảnh {', '.join(by_finding[f.id])})"
        other.append(text)

    roll = None
    if any(r.entry for r in sheet.rows):
        rows = []
        for r in sheet.rows:
            e = r.entry
            reason = ""
            if e:
                reason = "; ".join(x for x in (e.reason.strip(), e.evidence.strip()) if x)
            rows.append(dm.RollCallRow(
                name=r.staff.full_name, position=r.staff.position,
                status=ATTENDANCE_LABELS.get(r.status, r.status or ""),
                arrival=(e.arrival_time or "") if e else "", minutes_late=e.minutes_late if e else None,
                reason=reason, note=e.note if e else ""))
        method = ""
        for checklist in checklists:
            if checklist.id == METHOD_ITEM[0]:
                answer = answers.get(METHOD_ITEM)
                try:
                    item = checklist.item(METHOD_ITEM[1])
                except KeyError:
                    break
                if answer is not None and answer.value:
                    method = display_value(item, answer.value, "vi")
        roll = dm.RollCall(
            rows=tuple(rows),
            totals=sheet.totals,
            team_arrival=_local(visit.arrival_at).strftime("%H:%M") if visit.arrival_at else "",
            method=method)

    def link_label(finding_id: str | None, checklist_id: str | None, item_id: str | None, staff_id: str | None = None,
                   dossier_check_id: str | None = None) -> str:
        if finding_id:
            finding = next((f for f in findings if f.id == finding_id), None)
            label = f"Phát hiện: {finding.description}" if finding else ""
            if finding and finding.checklist_id and finding.item_id:
                label = item_labels.get((finding.checklist_id, finding.item_id), label)
            return label
        if checklist_id and item_id:
            return item_labels.get((checklist_id, item_id), item_id)
        if staff_id:
            return f"Cá nhân: {staff_names.get(staff_id, '')}"
        if dossier_check_id:
            return f"Hồ sơ {dossier_codes.get(dossier_check_id, '')}"
        return ""

    entries = []
    for p in photos:
        labels = [link_label(p.finding_id, p.checklist_id, p.item_id, p.staff_id, p.dossier_check_id),
                  *(link_label(x.finding_id, x.checklist_id, x.item_id) for x in extras.get(p.id, []))]
        label = "; ".join(dict.fromkeys(x for x in labels if x))  # every thing it is evidence of, once each
        entries.append(dm.PhotoEntry(
            ref=refs[p.id], path=str(photo_service.photo_file(ctx, p, "report")),
            caption=p.caption or "Ảnh hiện trường", taken_at=_local(p.captured_at or p.ingested_at),
            item_ref=label, sha256=p.sha256))

    team = [p for p in people if p.side == Side.TEAM.value]
    leader = next((p for p in team if p.role == TeamRole.LEADER.value), None)
    start = _local(visit.arrival_at) or _local(visit.created_at)
    end = _local(visit.ended_at or visit.closed_at) or start
    dept = ctx.settings.department
    unit_side = [p for p in people if p.side == Side.UNIT.value]
    refusals = tuple(
        dm.SignatureMark(role=dm.SignerRole(sig.role), name=sig.full_name, refused=True,
                         refusal_reason=sig.refusal_reason)
        for sig in signatures.values() if sig.refused)
    content = dm.MinutesContent(
        department=dm.Department(parent_body=dept.parent_agency_line(), issuing_body=dept.name,
                                 minutes_code=minutes_code(ctx)),
        number=number, place=dept.place_name(), date=start.date(), unit_name=unit.name,
        summary=f"Kiểm tra công vụ tại {unit.name}",
        legal_basis=_legal_basis(ctx, visit), start=start,
        venue=visit.place or unit.address or unit.name,
        team=tuple(dm.TeamMember(p.full_name, p.position, ROLE_LABELS.get(p.role, p.role))
                   for p in team),
        unit_representatives=tuple(
            dm.UnitRepresentative(p.full_name, dm.distinct_parts(p.role, p.position)) for p in unit_side),
        sections=tuple(sections), assessment=visit.assessment,
        remedies=tuple(dm.Remedy(r.text, r.deadline, r.report_due) for r in remedies),
        unit_opinion=visit.unit_opinion, end=end, signatures=refusals, roll_call=roll,
        sample=_dossier_sample(ctx, visit_id), photos=tuple(entries),
        other_findings=tuple(other), team_name=_team_name(ctx), version=version,
        correction_reason=correction_reason, visit_id=visit_id,
        copies=getattr(dept, "minutes_copies", 2) or 2,
        visit_kind=visit.kind if visit.kind in (VisitKind.PLANNED.value, VisitKind.UNANNOUNCED.value) else "",
        recipients=dm.recipients_lines(unit.name, _director(ctx), getattr(dept, "drafting_unit", "")),
    )
    digest = content_digest(content)
    posts = {TeamRole.LEADER.value: leader.position if leader else ""}

    def mark(role: str, sig_role: dm.SignerRole) -> dm.SignatureMark | None:
        sig = signatures.get(role)
        if sig is None:
            return None
        post = posts.get(TeamRole.LEADER.value, "") if sig_role is dm.SignerRole.TEAM_LEADER else ""
        fresh = sig.refused or sig.content_digest == digest
        return dm.SignatureMark(
            role=sig_role, name=sig.full_name,
            # a signature given on other content is not drawn under this one: it must be given again
            strokes=dm.strokes_from_lists(sig.strokes or []) if fresh else (),
            pad_width=sig.pad_width, pad_height=sig.pad_height, refused=sig.refused,
            refusal_reason=sig.refusal_reason, post=post)

    marks = tuple(m for m in (mark("unit_representative", dm.SignerRole.UNIT_REPRESENTATIVE),
                              mark("team_leader", dm.SignerRole.TEAM_LEADER),
                              mark("secretary", dm.SignerRole.SECRETARY)) if m is not None)
    if leader and not any(m.role is dm.SignerRole.TEAM_LEADER for m in marks):
        marks += (dm.SignatureMark(dm.SignerRole.TEAM_LEADER, leader.full_name,
                                   post=leader.position),)
    return dataclasses.replace(content, signatures=marks)


def _director(ctx: AppContext) -> str:
    """The Director the minutes are reported to ("Giám đốc Sở Nội vụ")."""
    return ctx.settings.department.director_title.strip()


def current_digest(ctx: AppContext, visit_id: str) -> str:
    """The digest of what the visit's minutes say now (see ``domain.minutes_digest.content_digest``)."""
    return content_digest(build_content(ctx, visit_id))


def save_conclusion(ctx: AppContext, visit_id: str, field: str, text: str) -> Visit:
    """Save section III (``assessment``) or V (``unit_opinion``) within its length limit
    (``domain.minutes_rules.LIMITS``; ValidationFailed names the limit)."""
    from . import visits as visit_service

    if field not in ("assessment", "unit_opinion"):
        raise ValueError(f"not a conclusions field: {field}")
    return visit_service.update_visit(ctx, visit_id, **{field: check_length(field, text)})


__all__ = ["ATTENDANCE_LABELS", "LOCAL_TZ", "METHOD_ITEM", "ROLE_LABELS", "SUPERSEDED_ITEMS", "build_content",
           "current_digest", "save_conclusion"]
