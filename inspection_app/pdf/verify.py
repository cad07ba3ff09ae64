"""Check every signature of a PDF: who signed, when, whether the bytes and the trust hold.

A signature is accepted when its bytes are intact, the cryptography is valid, the signer's
certificate chains to one of the configured roots (the department's pilot root and any root added
through ``keys trust``), it covers at least its whole revision, and nothing after it changed the
document except filling a signature field that already existed when it was made.

The difference analysis is pyHanko's, with a *strict* policy (``strict_policy``): no new field of
any kind after a certification signature (and no new visible one ever), no new or changed
annotation, no change to page content, to what the document information dictionary (``/Info``)
says (its ``/ModDate`` aside, which signing tools stamp) or to the XMP metadata. pyHanko's default policy allows some of these (new signature fields with any
appearance, ``/Info`` and XMP updates), which let a new "signature" paint over a line of text and
still be reported as valid. Anything else is "changed after signing", and the report fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from inspection_app.domain.errors import Phrase
from inspection_app.locale import both

from ..domain.localtime import LOCAL_TZ


@dataclass(frozen=True)
class Problem:
    vi: str
    en: str

    def __str__(self) -> str:
        return f"{self.vi} / {self.en}"


CHANGED_VI = "Tài liệu bị thay đổi sau khi ký"
CHANGED_EN = "The document was changed after signing"


@dataclass(frozen=True)
class SignatureReport:
    field_name: str
    signer_name: str
    signer_subject: str
    signer_title: str
    signer_organisation: str
    issuer: str  # common name of the issuing CA
    signing_time: dt.datetime | None  # as claimed by the signer (B-B has no trusted time)
    md_algorithm: str
    pades: bool
    intact: bool
    valid: bool
    trusted: bool
    coverage: str  # ENTIRE_FILE, ENTIRE_REVISION, …
    modification_level: str | None  # NONE, LTA_UPDATES, FORM_FILLING, ANNOTATIONS, OTHER
    docmdp_ok: bool | None
    certificate_fingerprint: str
    problems: tuple[Problem, ...]
    certified: bool = False  # a certification signature (DocMDP)
    trust_anchor: str = ""  # common name of the root the chain ended in
    trust_anchor_fingerprint: str = ""  # SHA-256 of that root's DER, hex

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes_after_signing(self) -> Problem:
        if not self.intact:
            return Problem(*both("Nội dung đã ký bị sửa"))
        if self.coverage == "ENTIRE_FILE":
            return Problem(*both("Không có thay đổi sau khi ký"))
        if self.modification_level in ("NONE", "LTA_UPDATES", "FORM_FILLING") and self.docmdp_ok \
                and not any(p.en.startswith(CHANGED_EN) for p in self.problems):
            return Problem(*both("Sau khi ký chỉ thêm chữ ký vào ô đã dành sẵn (được phép)"))
        return Problem(CHANGED_VI, CHANGED_EN)


@dataclass(frozen=True)
class VerificationReport:
    source: str
    signatures: tuple[SignatureReport, ...]
    problems: tuple[Problem, ...]  # about the file as a whole

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and not self.problems and all(s.ok for s in self.signatures)

    def all_problems(self) -> list[Problem]:
        out = list(self.problems)
        for s in self.signatures:
            out += [Problem(f"{s.field_name}: {p.vi}", f"{s.field_name}: {p.en}") for p in s.problems]
        return out


@contextlib.contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs a traceback for suspicious modifications; the report already says it."""
    logger = logging.getLogger("pyhanko")
    old = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(old)


def _to_asn1(cert: x509.Certificate):  # noqa: ANN202
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def strict_policy(*, certified: bool):  # noqa: ANN201
    """pyHanko's difference analysis with only the changes a countersignature needs.

    Allowed after a signature: filling an existing empty signature field (its value and
    appearance) and the bookkeeping of xref and object streams. On a file without a certification
    signature (minutes signed before DocMDP was introduced), an *invisible* new signature field is
    allowed too, since that is how the office countersigned them. Nothing else: no DocInfoRule,
    no MetadataUpdateRule, no DSS updates, no other field or annotation.
    """
    from pyhanko.sign.diff_analysis import (
        CatalogModificationRule,
        DocInfoRule,
        FormUpdatingRule,
        ModificationLevel,
        ObjectStreamRule,
        SigFieldCreationRule,
        SigFieldModificationRule,
        StandardDiffPolicy,
        SuspiciousModification,
        XrefStreamRule,
    )

    class InvisibleSigFieldCreationRule(SigFieldCreationRule):
        """New signature fields only when they cannot be seen (no widget area)."""

        def apply(self, context):  # noqa: ANN001, ANN202
            from pyhanko.sign.diff_analysis.rules.form_field_rules import is_field_visible

            for fq_name, spec in context.field_specs.items():
                if spec.old_field_ref is None and spec.new_field_ref is not None \
                        and is_field_visible(spec.new_field_ref.get_object()):
                    raise SuspiciousModification(f"New visible field {fq_name} after signing.")
            yield from super().apply(context)

    field_rules: list = [SigFieldModificationRule()]
    if not certified:
        field_rules.insert(0, InvisibleSigFieldCreationRule(approve_widget_bindings=True))
    return StandardDiffPolicy(
        global_rules=[
            CatalogModificationRule(),
            # the /Info object may be rewritten (signing tools stamp /ModDate); what it says is
            # compared by ``_metadata_changes``, which allows nothing but /ModDate to change
            DocInfoRule().as_qualified(ModificationLevel.LTA_UPDATES),
            XrefStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
            ObjectStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        ],
        form_rule=FormUpdatingRule(field_rules=field_rules),
    )


def verify_pdf(source: Path | bytes, trust_roots: Sequence[x509.Certificate]) -> VerificationReport:
    """Validate every embedded signature against ``trust_roots``, strictly (see the module)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    name = "<bytes>" if isinstance(source, bytes) else str(source)
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as exc:
        return VerificationReport(name, (), (Problem(*both("Không đọc được tệp: {strerror}", strerror=exc.strerror)),))
    roots = [_to_asn1(c) for c in trust_roots]
    reports: list[SignatureReport] = []
    file_problems: list[Problem] = []
    with _quiet_pyhanko():
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            embedded = list(reader.embedded_signatures)
        except Exception as exc:  # not a PDF, or broken beyond reading
            return VerificationReport(name, (), (Problem(
                *both("Không đọc được tệp PDF ({__name__}: {exc})", __name__=type(exc).__name__, exc=exc)),))
        if not embedded:
            file_problems.append(Problem(*both("Tệp không có chữ ký số nào")))
        certified = any(_docmdp(sig) is not None for sig in embedded)
        if embedded and _docmdp(embedded[0]) is None and _perms_docmdp(reader):
            file_problems.append(Problem(
                *both("Chữ ký chứng thực (DocMDP) không phải chữ ký đầu tiên")))
        policy = strict_policy(certified=certified)
        for sig in embedded:
            report = _check(sig, roots, validate_pdf_signature, ValidationContext, policy)
            extra = _metadata_changes(reader, sig) if report.intact else []
            if extra:
                report = replace(report, problems=report.problems + tuple(extra))
            reports.append(report)
    return VerificationReport(name, tuple(reports), tuple(file_problems))


def _docmdp(sig):  # noqa: ANN001, ANN202
    try:
        return sig.docmdp_level
    except Exception:
        return None


def _perms_docmdp(reader) -> bool:  # noqa: ANN001
    perms = reader.root.get("/Perms")
    return perms is not None and "/DocMDP" in perms.get_object()


def _plain(value, depth: int = 0):  # noqa: ANN001, ANN202
    """A comparable Python value of a PDF object (references followed, streams by their bytes)."""
    from pyhanko.pdf_utils import generic

    if depth > 8:
        return "…"
    value = value.get_object() if isinstance(value, generic.IndirectObject) else value
    if isinstance(value, generic.StreamObject):
        return ("stream", bytes(value.data))
    if isinstance(value, generic.DictionaryObject):
        return {str(k): _plain(value.raw_get(k), depth + 1) for k in value}
    if isinstance(value, generic.ArrayObject):
        return [_plain(v, depth + 1) for v in value]
    return str(value)


#: Keys of /Info a signing tool may update without changing what the document says.
INFO_TIMESTAMP_KEYS = ("/ModDate",)


def _info_text(value):  # noqa: ANN001, ANN202
    """/Info as compared across revisions: every key but the modification timestamp."""
    plain = _plain_or_none(value)
    if isinstance(plain, dict):
        return {k: v for k, v in plain.items() if k not in INFO_TIMESTAMP_KEYS}
    return plain


def _plain_or_none(value):  # noqa: ANN001, ANN202
    return None if value is None else _plain(value)


def _metadata_changes(reader, sig) -> list[Problem]:  # noqa: ANN001
    """``/Info`` and the XMP metadata as signed, against the file's final state."""
    try:
        rev = sig.signed_revision
        if rev >= reader.xrefs.total_revisions - 1:
            return []
        old = reader.get_historical_resolver(rev)
        before_info = old.trailer_view.get("/Info")
        after_info = reader.trailer_view.get("/Info")
        problems = []
        if _info_text(before_info) != _info_text(after_info):
            problems.append(Problem(*both("{changed}: thông tin tài liệu (/Info) bị sửa", changed=Phrase(CHANGED_VI, CHANGED_EN))))
        before_xmp, after_xmp = old.root.get("/Metadata"), reader.root.get("/Metadata")
        if _plain_or_none(before_xmp) != _plain_or_none(after_xmp):
            problems.append(Problem(*both("{changed}: siêu dữ liệu XMP bị sửa", changed=Phrase(CHANGED_VI, CHANGED_EN))))
        return problems
    except Exception as exc:  # unreadable history is itself a reason not to trust the file
        return [Problem(*both("{changed}: không đọc được lịch sử sửa đổi ({exc})", changed=Phrase(CHANGED_VI, CHANGED_EN), exc=exc))]


def _check(sig, roots, validate, ValidationContext, policy) -> SignatureReport:  # noqa: ANN001, N803
    problems: list[Problem] = []
    try:
        vc = ValidationContext(trust_roots=roots, allow_fetching=False)
        st = validate(sig, vc, diff_policy=policy)
    except Exception as exc:  # malformed signature container
        return SignatureReport(
            field_name=sig.field_name or "?", signer_name="?", signer_subject="", signer_title="",
            signer_organisation="", issuer="",
            signing_time=None, md_algorithm="", pades=False, intact=False, valid=False,
            trusted=False, coverage="UNCLEAR", modification_level=None, docmdp_ok=None,
            certificate_fingerprint="",
            problems=(Problem(*both("Chữ ký hỏng, không kiểm tra được ({exc})", exc=exc)),))
    cert = st.signing_cert
    subject = cert.subject.human_friendly
    native = cert.subject.native
    cn = native.get("common_name", subject)
    issuer = cert.issuer.native.get("common_name") or cert.issuer.human_friendly
    coverage = st.coverage.name if st.coverage is not None else "UNCLEAR"
    level = st.modification_level.name if st.modification_level is not None else None
    subfilter = str(sig.sig_object.get("/SubFilter", ""))
    if not st.intact:
        problems.append(Problem(*both("Nội dung đã bị sửa sau khi ký (sai mã băm)")))
    elif not st.valid:
        problems.append(Problem(*both("Chữ ký không hợp lệ về mật mã (chứng thư hoặc chữ ký bị tráo)")))
    if st.intact and st.valid and not st.trusted:
        why = st.trust_problem_indic.name if st.trust_problem_indic is not None else "NO_CHAIN"
        problems.append(Problem(
            *both("Người ký không được tin cậy: chứng thư không thuộc CA gốc đã cấu hình ({why})", why=why)))
    if coverage not in ("ENTIRE_FILE", "ENTIRE_REVISION"):
        problems.append(Problem(*both("Chữ ký không bao trùm toàn bộ tài liệu")))
    if st.docmdp_ok is False or (level in ("ANNOTATIONS", "OTHER") and coverage != "ENTIRE_FILE"):
        problems.append(Problem(*both("{changed} (trang, chú thích, trường hoặc nội dung mới)", changed=Phrase(CHANGED_VI, CHANGED_EN))))
    if st.md_algorithm.lower() != "sha256":
        problems.append(Problem(*both("Thuật toán băm {md_algorithm} không phải SHA-256", md_algorithm=st.md_algorithm)))
    anchor_cn = anchor_fp = ""
    if st.trusted and st.validation_path is not None:
        try:
            root = st.validation_path.trust_anchor.authority.certificate
            anchor_cn = str(root.subject.native.get("common_name") or root.subject.human_friendly)
            anchor_fp = root.sha256.hex()
        except Exception:
            pass
    signing_time = st.signer_reported_dt or _pdf_date(sig.sig_object.get("/M"))
    return SignatureReport(
        field_name=sig.field_name or "?",
        signer_name=str(cn),
        signer_subject=subject,
        signer_title=str(native.get("title", "")),
        signer_organisation=str(native.get("organization_name", "")),
        issuer=str(issuer),
        signing_time=signing_time,
        md_algorithm=st.md_algorithm,
        pades=subfilter == "/ETSI.CAdES.detached",
        intact=bool(st.intact), valid=bool(st.valid), trusted=bool(st.trusted),
        coverage=coverage, modification_level=level, docmdp_ok=st.docmdp_ok,
        certificate_fingerprint=cert.sha256.hex(),
        problems=tuple(problems),
        certified=_docmdp(sig) is not None,
        trust_anchor=anchor_cn, trust_anchor_fingerprint=anchor_fp,
    )


def _pdf_date(value) -> dt.datetime | None:  # noqa: ANN001
    if value is None:
        return None
    try:
        from pyhanko.pdf_utils.generic import parse_pdf_date

        return parse_pdf_date(str(value), strict=False)
    except Exception:
        return None


def format_fingerprint(hex_digest: str) -> str:
    """``AB:CD:…``, the way certificate viewers and ``certutil`` show a SHA-256 fingerprint."""
    h = hex_digest.upper()
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


def describe(report: VerificationReport, lang: str = "vi") -> str:
    """A plain text report for the command line."""
    vi = lang == "vi"
    lines = [f"{'Tệp' if vi else 'File'}: {report.source}"]
    for i, s in enumerate(report.signatures, 1):
        when = s.signing_time.astimezone(LOCAL_TZ).strftime(
            "%H:%M:%S %d/%m/%Y (UTC+7)") if s.signing_time else "?"
        yes, no = ("có", "không") if vi else ("yes", "no")
        change = s.changes_after_signing
        lines += [
            f"[{i}] {s.field_name}: {'HỢP LỆ' if vi and s.ok else 'KHÔNG HỢP LỆ' if vi else 'VALID' if s.ok else 'INVALID'}",
            f"    {'Người ký' if vi else 'Signer'}: {s.signer_name}"
            + (f" - {', '.join(x for x in (s.signer_title, s.signer_organisation) if x)}"
               if s.signer_title or s.signer_organisation else ""),
            f"    {'Cấp bởi' if vi else 'Issuer'}: {s.issuer}",
            f"    {'Thời gian ký' if vi else 'Signing time'}: {when}",
            f"    {'Toàn vẹn' if vi else 'Intact'}: {yes if s.intact and s.valid else no}; "
            f"{'tin cậy' if vi else 'trusted'}: {yes if s.trusted else no}; "
            f"{'phạm vi' if vi else 'coverage'}: {s.coverage}; "
            f"{'mức thay đổi' if vi else 'modification'}: {s.modification_level}; "
            f"PAdES: {yes if s.pades else no}; {s.md_algorithm}",
            f"    {'Thay đổi sau khi ký' if vi else 'Changes after signing'}: {change.vi if vi else change.en}",
        ]
        if s.certified:
            lines.append("    " + ("Chữ ký chứng thực (DocMDP): chỉ cho phép ký vào ô đã dành sẵn" if vi else
                                   "Certification signature (DocMDP): only the laid-out field may be signed"))
        if s.trust_anchor_fingerprint:
            lines.append(f"    {'Tin cậy qua CA gốc' if vi else 'Trusted through root'}: {s.trust_anchor}"
                         f" (SHA-256 {format_fingerprint(s.trust_anchor_fingerprint)})")
        lines += [f"    ! {p.vi if vi else p.en}" for p in s.problems]
    lines += [f"! {p.vi if vi else p.en}" for p in report.problems]
    lines.append(("KẾT QUẢ: HỢP LỆ" if report.ok else "KẾT QUẢ: CÓ VẤN ĐỀ") if vi else
                 ("RESULT: VALID" if report.ok else "RESULT: PROBLEMS FOUND"))
    return "\n".join(lines)
