"""The minutes (biên bản): content from the store, numbering, the PDF, signing, corrections.

The life of a visit's minutes:

1. While the visit is open, ``export_minutes`` gives a *draft* (no number, nothing stored).
2. Once the visit is closed (locked), the first export allocates the minutes number (per
   department code and year, from ``MinutesCounter``; a number is never given twice) and stores
   version 1 under ``<data_dir>/minutes/<visit>/`` with its SHA-256 in ``MinutesDocument``.
3. ``sign_minutes`` closes the visit if needed (the close check applies), signs the stored
   version with the team leader's key (PAdES B-B, visible box) and marks the visit *signed*.
   ``countersign_minutes`` lets the office add its signature later (incremental; the first stays
   valid) and marks the visit *filed*.
4. A signed version is never changed. ``begin_correction`` records why a correction is needed as
   the next version, reopens the visit for editing, and the next close, export and signature
   produce that version, which says it corrects the previous one. Old files and rows stay.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, select

from ..domain import minutes as dm
from ..domain.checklist import AnswerType, Verdict, display_value, is_failed
from ..domain.errors import Locked, NotFound, UserError, ValidationFailed
from ..domain.roll_call import STATUS_LABELS
from ..domain.text import nfc
from ..pdf import keys as key_store
from ..pdf.keys import PILOT_NOTICE_EN, PILOT_NOTICE_VI, fingerprint  # noqa: F401  (for the CLI and UI)
from ..pdf import signing
from ..pdf.layout import TEAM_LEADER_FIELD, render_minutes, write_atomic
from ..pdf.verify import VerificationReport, verify_pdf
from ..store.models import (
    Dossier,
    DossierCheck,
    Finding,
    MinutesCounter,
    MinutesDocument,
    Participant,
    Remedy,
    Side,
    Signature,
    TeamRole,
    Unit,
    Visit,
    VisitStatus,
)
from . import checklists as checklist_service
from . import photos as photo_service
from . import roll_call as roll_call_service
from . import sampling as sampling_service
from . import visits as visit_service
from .common import get_or_404
from . import visit_digest
from .context import AppContext

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MINUTES_DIR = "minutes"

ROLE_LABELS = {
    TeamRole.LEADER.value: "Trưởng đoàn",
    TeamRole.DEPUTY.value: "Phó Trưởng đoàn",
    TeamRole.MEMBER.value: "Thành viên",
    TeamRole.SECRETARY.value: "Thư ký",
}
ATTENDANCE_LABELS = {**{k: v["vi"] for k, v in STATUS_LABELS.items()}, None: "Chưa điểm danh"}


@dataclass(frozen=True)
class MinutesResult:
    """A rendered (and possibly signed) minutes file."""

    visit_id: str
    path: Path  # where the PDF is (in the data directory, or the draft's output)
    number: str  # "12/BB-SNV"; empty for a draft
    version: int  # 0 for a draft
    sha256: str
    byte_size: int
    page_count: int | None
    signed: bool
    document_id: str | None = None
    draft: bool = False


# --- numbering --------------------------------------------------------------------------------------


def minutes_code(ctx: AppContext) -> str:
    """"BB-SNV": BB is the code of a biên bản, then the department's code."""
    return f"BB-{ctx.settings.department.code}"


def allocate_number(session: Session, code: str, year: int) -> int:
    """Take the next minutes number for (code, year) inside the caller's transaction.

    The UPDATE takes the row's write lock (SQLite: the database lock; PostgreSQL: the row lock)
    until commit, so two tablets or processes can never read the same value; the counter only
    grows, so a number is never reused even if its minutes are abandoned.
    """
    for _ in range(5):
        result = session.execute(
            update(MinutesCounter)
            .where(MinutesCounter.department_code == code, MinutesCounter.year == year)
            .values(last_number=MinutesCounter.last_number + 1)
        )
        if result.rowcount:
            counter = session.exec(select(MinutesCounter).where(
                MinutesCounter.department_code == code, MinutesCounter.year == year)
                .execution_options(populate_existing=True)).one()
            return counter.last_number
        try:
            with session.begin_nested():
                session.add(MinutesCounter(department_code=code, year=year, last_number=1))
            return 1
        except Exception:  # another writer created the row first: take the UPDATE path again
            continue
    raise UserError("Không cấp được số biên bản, hãy thử lại.",
                    "Could not allocate a minutes number; please try again.")


def parse_number(number: str) -> int | None:
    head = (number or "").split("/", 1)[0].strip()
    return int(head) if head.isdigit() else None


# --- content ------------------------------------------------------------------------------------------


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None) if moment else None


def _sentence_case(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:].lower() if text else text


def _team_name(ctx: AppContext) -> str:
    dept = ctx.settings.department
    name = _sentence_case(dept.team_name) or "Đoàn kiểm tra công vụ"
    owner = dept.director_title.strip()
    if owner.lower().startswith("giám đốc "):
        name += f" của {owner[len('giám đốc '):].strip()}"
    return name


def _legal_basis(ctx: AppContext, visit: Visit) -> tuple[str, ...]:
    lines = []
    dept = ctx.settings.department
    if visit.decision_number:
        when = f" {dm.vn_date(visit.decision_date)}" if visit.decision_date else ""
        lines.append(f"Căn cứ Quyết định số {visit.decision_number}{when} của {dept.director_title} "
                     f"về việc thành lập {_sentence_case(dept.team_name) or 'Đoàn kiểm tra công vụ'};")
    if visit.plan_reference:
        plan = visit.plan_reference.rstrip(" .;")
        lines.append(f"Căn cứ {plan[:1].lower() + plan[1:] if plan.startswith('Căn cứ') else plan}.")
    if lines:
        lines[-1] = lines[-1].rstrip(";") + ("." if not lines[-1].endswith(".") else "")
    return tuple(lines)


def _outcome(item, value: str | None) -> tuple[dm.Outcome, str]:  # noqa: ANN001
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
        visit = get_or_404(s, Visit, visit_id, "lượt kiểm tra", "visit")
        unit = get_or_404(s, Unit, visit.unit_id, "đơn vị", "unit")
        people = list(s.exec(select(Participant).where(Participant.visit_id == visit_id)
                             .order_by(Participant.side, Participant.sort_order)))
        findings = list(s.exec(select(Finding).where(Finding.visit_id == visit_id)
                               .order_by(Finding.recorded_at)))
        remedies = list(s.exec(select(Remedy).where(Remedy.visit_id == visit_id)
                               .order_by(Remedy.deadline, Remedy.created_at)))
        signatures = {g.role: g for g in s.exec(select(Signature).where(Signature.visit_id == visit_id))}
        dossier_codes = dict(s.exec(select(DossierCheck.id, Dossier.code)
                                    .join(Dossier, Dossier.id == DossierCheck.dossier_id)
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
    findings_by_item: dict[tuple[str | None, str | None], list[Finding]] = {}
    loose: list[Finding] = []
    for f in findings:
        if f.checklist_id and f.item_id:
            findings_by_item.setdefault((f.checklist_id, f.item_id), []).append(f)
        else:
            loose.append(f)

    sections = []
    item_labels: dict[tuple[str, str], str] = {}
    for n, checklist in enumerate(checklists, 1):
        items = []
        for i, item in enumerate(checklist.items, 1):
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
                legal_basis="; ".join(b.cite() for b in item.legal_basis),
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
        roll = dm.RollCall(
            rows=tuple(rows),
            totals=sheet.totals,
            team_arrival=_local(visit.arrival_at).strftime("%H:%M") if visit.arrival_at else "")

    entries = []
    for p in photos:
        if p.finding_id:
            finding = next((f for f in findings if f.id == p.finding_id), None)
            label = f"Phát hiện: {finding.description}" if finding else ""
            if finding and finding.checklist_id and finding.item_id:
                label = item_labels.get((finding.checklist_id, finding.item_id), label)
        elif p.checklist_id and p.item_id:
            label = item_labels.get((p.checklist_id, p.item_id), p.item_id)
        elif p.staff_id:
            label = f"Cá nhân: {staff_names.get(p.staff_id, '')}"
        elif p.dossier_check_id:
            label = f"Hồ sơ {dossier_codes.get(p.dossier_check_id, '')}"
        else:
            label = ""
        entries.append(dm.PhotoEntry(
            ref=refs[p.id], path=str(photo_service.photo_file(ctx, p, "report")),
            caption=p.caption or "Ảnh hiện trường", taken_at=_local(p.captured_at or p.ingested_at),
            item_ref=label, sha256=p.sha256))

    def mark(role: str, sig_role: dm.SignerRole) -> dm.SignatureMark | None:
        sig = signatures.get(role)
        if sig is None:
            return None
        return dm.SignatureMark(
            role=sig_role, name=sig.full_name, strokes=dm.strokes_from_lists(sig.strokes or []),
            pad_width=sig.pad_width, pad_height=sig.pad_height, refused=sig.refused,
            refusal_reason=sig.refusal_reason)

    marks = tuple(m for m in (mark("unit_representative", dm.SignerRole.UNIT_REPRESENTATIVE),
                              mark("team_leader", dm.SignerRole.TEAM_LEADER),
                              mark("secretary", dm.SignerRole.SECRETARY)) if m is not None)
    team = [p for p in people if p.side == Side.TEAM.value]
    leader = next((p for p in team if p.role == TeamRole.LEADER.value), None)
    if leader and not any(m.role is dm.SignerRole.TEAM_LEADER for m in marks):
        marks += (dm.SignatureMark(dm.SignerRole.TEAM_LEADER, leader.full_name),)

    start = _local(visit.arrival_at) or _local(visit.created_at)
    end = _local(visit.ended_at or visit.closed_at) or start
    dept = ctx.settings.department
    return dm.MinutesContent(
        department=dm.Department(parent_body=dept.parent_agency, issuing_body=dept.name,
                                 minutes_code=minutes_code(ctx)),
        number=number, place=dept.place, date=start.date(), unit_name=unit.name,
        summary=f"Kiểm tra công vụ tại {unit.name}",
        legal_basis=_legal_basis(ctx, visit), start=start,
        venue=visit.place or unit.address or unit.name,
        team=tuple(dm.TeamMember(p.full_name, p.position, ROLE_LABELS.get(p.role, p.role))
                   for p in team),
        unit_representatives=tuple(
            dm.UnitRepresentative(p.full_name, ", ".join(x for x in (p.role, p.position) if x))
            for p in people if p.side == Side.UNIT.value),
        sections=tuple(sections), assessment=visit.assessment,
        remedies=tuple(dm.Remedy(r.text, r.deadline, r.report_due) for r in remedies),
        unit_opinion=visit.unit_opinion, end=end, signatures=marks, roll_call=roll,
        sample=sampling_service.minutes_sample(ctx, visit_id), photos=tuple(entries),
        other_findings=tuple(other), team_name=_team_name(ctx), version=version,
        correction_reason=correction_reason, visit_id=visit_id)


# --- stored versions -----------------------------------------------------------------------------------


def list_versions(ctx: AppContext, visit_id: str) -> list[MinutesDocument]:
    with ctx.session() as s:
        return list(s.exec(select(MinutesDocument).where(MinutesDocument.visit_id == visit_id)
                           .order_by(MinutesDocument.version)))


def latest_version(ctx: AppContext, visit_id: str) -> MinutesDocument | None:
    versions = list_versions(ctx, visit_id)
    return versions[-1] if versions else None


def _file_name(doc: MinutesDocument, suffix: str = "") -> str:
    number = doc.number.replace("/", "-") or "draft"
    return f"{MINUTES_DIR}/{doc.visit_id}/bien-ban-{number}-v{doc.version}{suffix}.pdf"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_checked(ctx: AppContext, doc: MinutesDocument) -> bytes:
    """The stored file's bytes, refusing if they are not the ones recorded."""
    path = ctx.path(doc.file_path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotFound(f"Thiếu tệp biên bản {path}.", f"The minutes file {path} is missing.") from exc
    if _sha256(data) != doc.sha256:
        raise UserError(
            f"Tệp biên bản {path} đã bị thay đổi trên đĩa (mã băm không khớp); không dùng tệp này.",
            f"The minutes file {path} was changed on disk (hash mismatch); it will not be used.")
    return data


def _store_render(ctx: AppContext, visit_id: str) -> MinutesDocument:
    """Render the current version of a locked visit and store it (allocating the number once)."""
    with ctx.session() as s:
        visit = get_or_404(s, Visit, visit_id, "lượt kiểm tra", "visit")
        if not visit.locked:
            raise Locked("Lượt kiểm tra chưa kết thúc: hãy kết thúc (khóa) trước khi lập biên bản chính thức.",
                         "The visit is not closed yet: close (lock) it before making the official minutes.")
        docs = list(s.exec(select(MinutesDocument).where(MinutesDocument.visit_id == visit_id)
                           .order_by(MinutesDocument.version)))
        doc = docs[-1] if docs else None
        if doc is not None and doc.file_path:
            return doc
        if not visit.minutes_number:
            start = _local(visit.arrival_at) or _local(visit.created_at)
            n = allocate_number(s, minutes_code(ctx), start.year)
            visit.minutes_number = dm.format_minutes_number(n, minutes_code(ctx))
            s.add(visit)
        if doc is None:
            doc = MinutesDocument(visit_id=visit_id, version=1)
        doc.number = visit.minutes_number
        number, version, reason = visit.minutes_number, doc.version, doc.reason
        s.add(doc)
    content = build_content(ctx, visit_id, number=parse_number(number), version=version,
                            correction_reason=reason)
    rendered = render_minutes(content)
    doc.file_path = _file_name(doc)
    write_atomic(ctx.path(doc.file_path), rendered.pdf, "biên bản", "the minutes")
    with ctx.session() as s:
        row = s.get(MinutesDocument, doc.id)
        row.file_path, row.sha256, row.byte_size = doc.file_path, rendered.sha256, len(rendered.pdf)
        s.add(row)
        return row


def _copy_out(data: bytes, out: Path | None) -> None:
    if out is not None:
        write_atomic(Path(out), data, "tệp biên bản", "the minutes file")


def export_minutes(ctx: AppContext, visit_id: str, out: str | os.PathLike | None = None) -> MinutesResult:
    """The minutes of a visit as a PDF.

    An open visit gives a draft (no number, stored nowhere but ``out`` or ``minutes/drafts``); a
    closed or signed one gives its stored current version, rendering it the first time.
    """
    visit = visit_service.get_visit(ctx, visit_id)
    if not visit.locked:
        rendered = render_minutes(build_content(ctx, visit_id, number=None))
        path = Path(out) if out else ctx.path(f"{MINUTES_DIR}/drafts/du-thao-{visit_id}.pdf")
        write_atomic(path, rendered.pdf, "bản dự thảo biên bản", "the draft minutes")
        return MinutesResult(visit_id, path, "", 0, rendered.sha256, len(rendered.pdf),
                             rendered.page_count, False, None, draft=True)
    doc = _store_render(ctx, visit_id)
    data = _read_checked(ctx, doc)
    _copy_out(data, Path(out) if out else None)
    return _result(ctx, doc, Path(out) if out else None)


def _result(ctx: AppContext, doc: MinutesDocument, out: Path | None) -> MinutesResult:
    return MinutesResult(doc.visit_id, out or ctx.path(doc.file_path), doc.number, doc.version,
                         doc.sha256, doc.byte_size, None, doc.signed, doc.id)


# --- signing ------------------------------------------------------------------------------------------


def _leader_name(ctx: AppContext, visit_id: str) -> str:
    team = visit_service.participants(ctx, visit_id, Side.TEAM.value)
    leader = next((p for p in team if p.role == TeamRole.LEADER.value), None)
    return leader.full_name if leader else ""


def sign_minutes(ctx: AppContext, visit_id: str, passphrase: str | bytes,
                 identity: str | None = None, out: str | os.PathLike | None = None) -> MinutesResult:
    """The team leader signs the current version; the visit is closed first if needed, and locked
    as *signed* afterwards."""
    visit = visit_service.get_visit(ctx, visit_id)
    if not visit.locked:
        visit_service.close_visit(ctx, visit_id)  # raises with the list of what is missing
    doc = _store_render(ctx, visit_id)
    if doc.signed:
        raise Locked(
            f"Biên bản {doc.number} (phiên bản {doc.version}) đã được ký. Muốn sửa, hãy lập bản đính chính.",
            f"Minutes {doc.number} (version {doc.version}) are already signed. To change them, make a correction.")
    ident = (key_store.find_identity(ctx.data_dir, identity) if identity
             else _default_leader_identity(ctx, visit_id))
    loaded = key_store.load_identity(ctx.data_dir, ident, passphrase)
    data = _read_checked(ctx, doc)
    # the stored file carries an empty field at the team leader's box: the signature fills it
    signed = signing.sign_pdf(
        data, loaded, field_name=TEAM_LEADER_FIELD, box=None,
        reason=f"Trưởng đoàn ký Biên bản {doc.number}", location=ctx.settings.department.place)
    return _store_signed(ctx, doc, signed, _file_name(doc, "-da-ky"), VisitStatus.SIGNED, out, first=True)


def _store_signed(ctx: AppContext, doc: MinutesDocument, signed, relative: str, status: VisitStatus,
                  out: str | os.PathLike | None, first: bool) -> MinutesResult:
    """Write a signed revision beside the earlier ones, point the version at it and move the visit on.

    ``first``: the team leader's signature, which also records who signed this version.
    """
    write_atomic(ctx.path(relative), signed.pdf, "biên bản đã ký", "the signed minutes")
    with ctx.session() as s:
        row = s.get(MinutesDocument, doc.id)
        row.file_path, row.sha256, row.byte_size = relative, signed.sha256, len(signed.pdf)
        if first:
            row.signed, row.signed_at = True, signed.signed_at
            row.signer_subject, row.signer_fingerprint = signed.signer_subject, signed.certificate_fingerprint
        s.add(row)
        visit = s.get(Visit, doc.visit_id)
        visit.status = status.value
        s.add(visit)
        doc = row
    if first:  # issue #10: keep the digest of what was signed (bundles' owner)
        visit_digest.seal(ctx, doc.visit_id, doc.id)
    _copy_out(signed.pdf, Path(out) if out else None)
    return _result(ctx, doc, Path(out) if out else None)


def _default_leader_identity(ctx: AppContext, visit_id: str) -> key_store.Identity:
    """The key of this visit's team leader, by name; never another person's key."""
    name = _leader_name(ctx, visit_id)
    if not name:
        return key_store.find_identity(ctx.data_dir, title="Trưởng đoàn")
    try:
        return key_store.find_identity(ctx.data_dir, name)
    except NotFound as exc:
        raise NotFound(
            f"Chưa có khóa ký số của Trưởng đoàn {name}. Hãy nhập chứng thư (keys import) hoặc tạo "
            f"chứng thư thí điểm (keys init --member \"{name}:Trưởng đoàn\"), hoặc chọn khóa khác (--identity).",
            f"There is no signing key for the team leader {name}. Import a certificate (keys import), "
            f"create a pilot one (keys init --member \"{name}:Trưởng đoàn\"), or choose a key (--identity).",
        ) from exc


def countersign_minutes(ctx: AppContext, visit_id: str, passphrase: str | bytes,
                        identity: str | None = None, out: str | os.PathLike | None = None) -> MinutesResult:
    """The office adds its signature to the signed minutes (incremental); the visit is *filed*."""
    doc = latest_version(ctx, visit_id)
    if doc is None or not doc.signed:
        raise ValidationFailed("Biên bản chưa được Trưởng đoàn ký số.",
                               "The minutes have not been signed by the team leader yet.")
    ident = key_store.find_identity(ctx.data_dir, identity) if identity else \
        key_store.find_identity(ctx.data_dir, title="Văn thư")
    loaded = key_store.load_identity(ctx.data_dir, ident, passphrase)
    data = _read_checked(ctx, doc)
    signed = signing.sign_pdf(data, loaded, field_name=signing.OFFICE_FIELD, box=None,
                              reason=f"{ctx.settings.department.name.title()} tiếp nhận Biên bản {doc.number}",
                              location=ctx.settings.department.place)
    n = 1
    while ctx.path(_file_name(doc, f"-tiep-nhan-{n}")).exists():
        n += 1
    return _store_signed(ctx, doc, signed, _file_name(doc, f"-tiep-nhan-{n}"), VisitStatus.FILED, out, first=False)


# --- corrections ---------------------------------------------------------------------------------------


def begin_correction(ctx: AppContext, visit_id: str, reason: str) -> MinutesDocument:
    """Start a corrected version: record why, and reopen the visit for editing.

    The signed (or stored) earlier version and its file stay exactly as they are. The visit keeps
    its minutes number; the next close, export and signature produce the new version.
    """
    reason = " ".join((nfc(reason) or "").split())
    if not reason:
        raise ValidationFailed("Cần ghi lý do đính chính biên bản.", "A reason for the correction is required.")
    with ctx.session() as s:
        visit = get_or_404(s, Visit, visit_id, "lượt kiểm tra", "visit")
        docs = list(s.exec(select(MinutesDocument).where(MinutesDocument.visit_id == visit_id)
                           .order_by(MinutesDocument.version)))
        if not docs or not docs[-1].file_path:
            raise ValidationFailed(
                "Chưa có biên bản chính thức để đính chính." if not docs else
                "Đang có một bản đính chính chưa hoàn tất.",
                "There are no official minutes to correct yet." if not docs else
                "A correction is already in progress.")
        doc = MinutesDocument(visit_id=visit_id, version=docs[-1].version + 1, number=visit.minutes_number,
                              reason=reason)
        s.add(doc)
        visit.status = VisitStatus.ON_SITE.value
        visit.closed_at = None
        s.add(visit)
        return doc


# --- verification --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MinutesCheck:
    report: VerificationReport
    stored: MinutesDocument | None  # the stored version whose hash equals the file's, if any

    @property
    def ok(self) -> bool:
        return self.report.ok


def verify_minutes(ctx: AppContext, source: str | os.PathLike | bytes,
                   extra_roots: list | None = None) -> MinutesCheck:
    """Check a minutes PDF against the department's root and imported roots."""
    data = source if isinstance(source, bytes) else None
    report = verify_pdf(Path(source) if data is None else data,
                        key_store.trust_roots(ctx.data_dir) + list(extra_roots or []))
    stored = None
    try:
        raw = data if data is not None else Path(source).read_bytes()
        digest = _sha256(raw)
        with ctx.session() as s:
            stored = s.exec(select(MinutesDocument).where(MinutesDocument.sha256 == digest)).first()
    except OSError:
        pass
    return MinutesCheck(report, stored)


# --- keys ---------------------------------------------------------------------------------------------


def organisation_name(ctx: AppContext) -> str:
    """"Sở Nội vụ tỉnh Tây Ninh", for certificates: from the director's title and the place."""
    dept = ctx.settings.department
    owner = dept.director_title.strip()
    base = owner[len("giám đốc "):].strip() if owner.lower().startswith("giám đốc ") else _sentence_case(dept.name)
    return f"{base} tỉnh {dept.place}" if dept.place and dept.place not in base else base


def members_on_record(ctx: AppContext) -> list[tuple[str, str]]:
    """Team members of the visits here and the inspectors, as (name, title) for certificates."""
    from ..store.models import Inspector

    found: dict[str, tuple[str, str]] = {}
    with ctx.session() as s:
        for p in s.exec(select(Participant).where(Participant.side == Side.TEAM.value)
                        .order_by(Participant.created_at)):
            found.setdefault(p.full_name, (p.full_name, ROLE_LABELS.get(p.role, p.role)))
        for i in s.exec(select(Inspector)):
            found.setdefault(i.full_name, (i.full_name, i.position or "Thành viên"))
    return list(found.values())


def init_keys(ctx: AppContext, passphrase: str, members: list[tuple[str, str]] | None = None, *,
              organisation: str | None = None, office: bool = True) -> key_store.PilotKeys:
    """Pilot keys: the department's local root CA and a certificate per member (see pdf.keys)."""
    org = organisation or organisation_name(ctx)
    people = list(members) if members else members_on_record(ctx)
    if office:
        people.append((f"Văn phòng {org.split(' tỉnh ')[0]}", "Văn thư"))
    if not people:
        raise ValidationFailed("Chưa có thành viên nào để cấp chứng thư.", "No team members to issue certificates for.")
    return key_store.init_pilot(ctx.data_dir, org, people, passphrase)


def import_key(ctx: AppContext, path: str | os.PathLike, passphrase: str, *, trust_root: bool = False):  # noqa: ANN201
    return key_store.import_p12(ctx.data_dir, Path(path), passphrase, trust_root_in_file=trust_root)


def list_keys(ctx: AppContext) -> tuple[object, list, list[key_store.Identity]]:
    """(department root or None, further trusted roots, identities)."""
    root = key_store.load_root(ctx.data_dir)
    roots = key_store.trust_roots(ctx.data_dir)
    return root, roots[1:] if root is not None else roots, key_store.list_identities(ctx.data_dir)


def trust_root(ctx: AppContext, path: str | os.PathLike):  # noqa: ANN201
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise NotFound(f"Không đọc được tệp {path}.", f"Cannot read {path}.") from exc
    return key_store.add_trust_root(ctx.data_dir, data)


def describe_check(check: MinutesCheck, lang: str = "vi") -> str:
    from ..pdf.verify import describe

    text = describe(check.report, lang)
    if check.stored is not None:
        doc = check.stored
        text += ("\n" + (f"Khớp với biên bản số {doc.number}, phiên bản {doc.version} lưu trên máy này."
                         if lang == "vi" else
                         f"Matches minutes no. {doc.number}, version {doc.version} stored on this machine."))
    return text


__all__ = [
    "PILOT_NOTICE_EN", "PILOT_NOTICE_VI", "fingerprint",
    "MinutesCheck", "MinutesResult", "allocate_number", "begin_correction", "build_content",
    "countersign_minutes", "describe_check", "export_minutes", "import_key", "init_keys",
    "latest_version", "list_keys", "list_versions", "members_on_record", "minutes_code",
    "organisation_name", "sign_minutes", "trust_root", "verify_minutes",
]
