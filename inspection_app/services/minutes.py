"""The minutes (biên bản): content from the store, numbering, the PDF, signing, corrections.

What the minutes say is built in ``services.minutes_content``; numbers come from
``services.numbering``; the drawn signatures' state from ``services.minutes_signatures``.

The life of a visit's minutes:

1. While the visit is open, ``export_minutes`` gives a *draft* (no number, nothing stored).
2. Once the visit is closed (locked), the first export takes the minutes number from the block
   the records office reserved for this device (``services.numbering``; without one the number is
   left blank for the văn thư) and stores version 1 under ``<data_dir>/minutes/<visit>/`` with its
   SHA-256 in ``MinutesDocument``.
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
from pathlib import Path
from typing import cast

from cryptography import x509
from sqlmodel import col, select

from inspection_app.domain.errors import Phrase
from inspection_app.locale import N_, both

from ..domain import minutes as dm
from ..domain.errors import Locked, NotFound, UserError, ValidationFailed
from ..domain.text import nfc
from ..pdf import keys as key_store
from ..pdf import signing
from ..pdf.keys import PILOT_NOTICE_EN, PILOT_NOTICE_VI, fingerprint  # noqa: F401  (for the CLI and UI)
from ..pdf.layout import TEAM_LEADER_FIELD, render_minutes, write_atomic
from ..pdf.verify import VerificationReport, verify_pdf
from ..store.models import MinutesDocument, Participant, Side, TeamRole, Visit, VisitStatus
from . import keys as _keys_service
from . import visit_close, visit_digest
from . import visits as visit_service
from .common import get_or_404
from .context import AppContext
from .minutes_content import (  # noqa: F401  (re-exported: the service's public face)
    ATTENDANCE_LABELS,
    LOCAL_TZ,
    ROLE_LABELS,
    _local,
    _sentence_case,
    build_content,
    current_digest,
)
from .numbering import allocate_number, issue_number, minutes_code, parse_number  # noqa: F401

MINUTES_DIR = "minutes"


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



# --- stored versions -----------------------------------------------------------------------------------


def list_versions(ctx: AppContext, visit_id: str) -> list[MinutesDocument]:
    with ctx.session() as s:
        return list(s.exec(select(MinutesDocument).where(MinutesDocument.visit_id == visit_id)
                           .order_by(col(MinutesDocument.version))))


def latest_version(ctx: AppContext, visit_id: str) -> MinutesDocument | None:
    versions = list_versions(ctx, visit_id)
    return versions[-1] if versions else None


def _file_name(doc: MinutesDocument, suffix: str = "") -> str:
    number = doc.number.replace("/", "-") if parse_number(doc.number) else "chua-so"
    return f"{MINUTES_DIR}/{doc.visit_id}/bien-ban-{number}-v{doc.version}{suffix}.pdf"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_checked(ctx: AppContext, doc: MinutesDocument) -> bytes:
    """The stored file's bytes, refusing if they are not the ones recorded."""
    path = ctx.path(doc.file_path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotFound("Thiếu tệp biên bản {path}.", path=path) from exc
    if _sha256(data) != doc.sha256:
        raise UserError(
            "Tệp biên bản {path} đã bị thay đổi trên đĩa (mã băm không khớp); không dùng tệp này.", path=path)
    return data


def _store_render(ctx: AppContext, visit_id: str) -> MinutesDocument:
    """Render the current version of a locked visit and store it (allocating the number once)."""
    missing = ctx.settings.department.missing()
    if missing:  # never print a default place name silently (issue #11)
        raise ValidationFailed(
            "Chưa khai báo {value} của cơ quan kiểm tra: vào Cài đặt, mục Cơ quan, để khai báo trước khi lập biên bản.", value=Phrase(", ".join(vi.lower() for vi, _ in missing), ", ".join(en.lower() for _, en in missing)))
    with ctx.session() as s:
        visit = get_or_404(s, Visit, visit_id, *both("lượt kiểm tra"))
        if not visit.locked:
            raise Locked("Lượt kiểm tra chưa kết thúc: hãy kết thúc (khóa) trước khi lập biên bản chính thức.")
        docs = list(s.exec(select(MinutesDocument).where(MinutesDocument.visit_id == visit_id)
                           .order_by(col(MinutesDocument.version))))
        doc = docs[-1] if docs else None
        if doc is not None and doc.file_path:
            return doc
        if not parse_number(visit.minutes_number):
            start = _local(visit.arrival_at) or _local(visit.created_at)
            n = issue_number(s, minutes_code(ctx), start.year, ctx.settings.device_id, visit_id)
            # no reserved number left on this device: the number stays blank for the văn thư
            visit.minutes_number = dm.format_minutes_number(n, minutes_code(ctx)) if n is not None else ""
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
    write_atomic(ctx.path(doc.file_path), rendered.pdf, *both("biên bản"))
    with ctx.session() as s:
        row = cast(MinutesDocument, s.get(MinutesDocument, doc.id))
        row.file_path, row.sha256, row.byte_size = doc.file_path, rendered.sha256, len(rendered.pdf)
        s.add(row)
        return row


def _copy_out(data: bytes, out: Path | None) -> None:
    if out is not None:
        write_atomic(Path(out), data, *both("tệp biên bản"))


def export_minutes(ctx: AppContext, visit_id: str, out: str | os.PathLike[str] | None = None) -> MinutesResult:
    """The minutes of a visit as a PDF.

    An open visit gives a draft (no number, stored nowhere but ``out`` or ``minutes/drafts``); a
    closed or signed one gives its stored current version, rendering it the first time.
    """
    visit = visit_service.get_visit(ctx, visit_id)
    if not visit.locked:
        rendered = render_minutes(build_content(ctx, visit_id, number=None))
        path = Path(out) if out else ctx.path(f"{MINUTES_DIR}/drafts/du-thao-{visit_id}.pdf")
        write_atomic(path, rendered.pdf, *both("bản dự thảo biên bản"))
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
                 identity: str | None = None, out: str | os.PathLike[str] | None = None) -> MinutesResult:
    """The team leader signs the current version; the visit is closed first if needed, and locked
    as *signed* afterwards."""
    visit = visit_service.get_visit(ctx, visit_id)
    if not visit.locked:
        visit_close.close_visit(ctx, visit_id)  # raises with the list of what is missing
    doc = _store_render(ctx, visit_id)
    if doc.signed:
        raise Locked(
            "Biên bản {number} (phiên bản {version}) đã được ký. Muốn sửa, hãy lập bản đính chính.", number=doc.number, version=doc.version)
    ident = (key_store.find_identity(ctx.data_dir, identity) if identity
             else _default_leader_identity(ctx, visit_id))
    loaded = key_store.load_identity(ctx.data_dir, ident, passphrase)
    data = _read_checked(ctx, doc)
    # the stored file carries an empty field at the team leader's box: the signature fills it
    signed = signing.sign_pdf(
        data, loaded, field_name=TEAM_LEADER_FIELD, box=None,
        reason=f"Trưởng đoàn ký Biên bản {doc.number}", location=ctx.settings.department.place_name(),
        drawn=_keys_service.leader_drawing(ctx, visit_id))
    return _store_signed(ctx, doc, signed, _file_name(doc, "-da-ky"), VisitStatus.SIGNED, out, first=True)


def _store_signed(ctx: AppContext, doc: MinutesDocument, signed: signing.SignedPdf, relative: str, status: VisitStatus,
                  out: str | os.PathLike[str] | None, first: bool) -> MinutesResult:
    """Write a signed revision beside the earlier ones, point the version at it and move the visit on.

    ``first``: the team leader's signature, which also records who signed this version.
    """
    write_atomic(ctx.path(relative), signed.pdf, *both("biên bản đã ký"))
    with ctx.session() as s:
        row = cast(MinutesDocument, s.get(MinutesDocument, doc.id))
        row.file_path, row.sha256, row.byte_size = relative, signed.sha256, len(signed.pdf)
        if first:
            row.signed, row.signed_at = True, signed.signed_at
            row.signer_subject, row.signer_fingerprint = signed.signer_subject, signed.certificate_fingerprint
        s.add(row)
        visit = cast(Visit, s.get(Visit, doc.visit_id))
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
            "Chưa có khóa ký số của Trưởng đoàn {name}. Hãy nhập chứng thư (keys import) hoặc tạo chứng thư thí điểm (keys init --member \"{name}:Trưởng đoàn\"), hoặc chọn khóa khác (--identity).", name=name,
        ) from exc


def countersign_minutes(ctx: AppContext, visit_id: str, passphrase: str | bytes,
                        identity: str | None = None, out: str | os.PathLike[str] | None = None) -> MinutesResult:
    """The office adds its signature to the signed minutes (incremental); the visit is *filed*."""
    doc = latest_version(ctx, visit_id)
    if doc is None or not doc.signed:
        raise ValidationFailed("Biên bản chưa được Trưởng đoàn ký số.")
    ident = key_store.find_identity(ctx.data_dir, identity) if identity else \
        key_store.find_identity(ctx.data_dir, title="Văn thư")
    loaded = key_store.load_identity(ctx.data_dir, ident, passphrase)
    data = _read_checked(ctx, doc)
    signed = signing.sign_pdf(data, loaded, field_name=signing.OFFICE_FIELD, box=None,
                              reason=f"{ctx.settings.department.organisation_name()} tiếp nhận Biên bản {doc.number}",
                              location=ctx.settings.department.place_name())
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
        raise ValidationFailed("Cần ghi lý do đính chính biên bản.")
    with ctx.session() as s:
        visit = get_or_404(s, Visit, visit_id, *both("lượt kiểm tra"))
        docs = list(s.exec(select(MinutesDocument).where(MinutesDocument.visit_id == visit_id)
                           .order_by(col(MinutesDocument.version))))
        if not docs or not docs[-1].file_path:
            raise ValidationFailed(
                N_("Chưa có biên bản chính thức để đính chính.") if not docs else N_("Đang có một bản đính chính chưa hoàn tất."))
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


def verify_minutes(ctx: AppContext, source: str | os.PathLike[str] | bytes,
                   extra_roots: list[x509.Certificate] | None = None) -> MinutesCheck:
    """Check a minutes PDF against the department's root and imported roots."""
    data = source if isinstance(source, bytes) else None
    report = verify_pdf(Path(cast("str | os.PathLike[str]", source)) if data is None else data,
                        key_store.trust_roots(ctx.data_dir) + list(extra_roots or []))
    stored = None
    try:
        raw = data if data is not None else Path(cast("str | os.PathLike[str]", source)).read_bytes()
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
    return dept.organisation_name()


def members_on_record(ctx: AppContext) -> list[tuple[str, str]]:
    """Team members of the visits here and the inspectors, as (name, title) for certificates."""
    from ..store.models import Inspector

    found: dict[str, tuple[str, str]] = {}
    with ctx.session() as s:
        for p in s.exec(select(Participant).where(Participant.side == Side.TEAM.value)
                        .order_by(col(Participant.created_at))):
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
        raise ValidationFailed("Chưa có thành viên nào để cấp chứng thư.")
    return key_store.init_pilot(ctx.data_dir, org, people, passphrase)


def import_key(ctx: AppContext, path: str | os.PathLike[str], passphrase: str, *,
               trust_root: bool = False) -> tuple[key_store.Identity, list[x509.Certificate]]:
    return key_store.import_p12(ctx.data_dir, Path(path), passphrase, trust_root_in_file=trust_root)


def list_keys(ctx: AppContext) -> tuple[object, list[x509.Certificate], list[key_store.Identity]]:
    """(department root or None, further trusted roots, identities)."""
    root = key_store.load_root(ctx.data_dir)
    roots = key_store.trust_roots(ctx.data_dir)
    return root, roots[1:] if root is not None else roots, key_store.list_identities(ctx.data_dir)


def trust_root(ctx: AppContext, path: str | os.PathLike[str]) -> x509.Certificate:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise NotFound("Không đọc được tệp {path}.", path=path) from exc
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
