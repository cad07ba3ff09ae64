"""Test data for the office tests (bundles, review, reports), written straight to the store tables.

Rows go through ordinary audited sessions, as the field services would write them, so their audit
events exist and the merge has histories to compare.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from PIL import Image

from inspection_app.store import models as m

VN = timezone(timedelta(hours=7))


def jpeg_bytes(seed: int, size: tuple[int, int] = (40, 30)) -> bytes:
    img = Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def store_file(ctx, rel: str, data: bytes) -> str:
    path = ctx.data_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return rel


@dataclass
class Seeded:
    visit_id: str
    unit_id: str
    staff_ids: list[str] = field(default_factory=list)
    finding_ids: list[str] = field(default_factory=list)
    photo_ids: list[str] = field(default_factory=list)
    remedy_ids: list[str] = field(default_factory=list)
    minutes_ids: list[str] = field(default_factory=list)
    answer_ids: dict[tuple[str, str], str] = field(default_factory=dict)


def seed_unit(ctx, name: str = "UBND xã Tân Thành", staff: int = 4) -> tuple[str, list[str]]:
    with ctx.session() as s:
        unit = m.Unit(name=name, kind="UBND xã", parent_agency="UBND TỈNH TÂY NINH", head_name="Nguyễn Văn An")
        s.add(unit)
        s.flush()
        people = [m.StaffMember(unit_id=unit.id, full_name=f"Cán bộ {i + 1}", position="Chuyên viên")
                  for i in range(staff)]
        s.add_all(people)
        s.flush()
        return unit.id, [p.id for p in people]


def seed_visit(ctx, *, unit: tuple[str, list[str]] | None = None, unit_name: str = "UBND xã Tân Thành",
               when: datetime = datetime(2026, 3, 10, 8, 0, tzinfo=VN), roll_call: list[str] | None = None,
               answers: dict[str, dict[str, str]] | None = None, findings: list[tuple[str, str]] = (),
               timeliness: list[str] = (), photos: int = 0, remedies: list[tuple[str, date, date | None]] = (),
               minutes: bool = False, signed: bool = False, status: str = "on_site") -> Seeded:
    unit_id, staff_ids = unit or seed_unit(ctx, unit_name)
    roll_call = roll_call if roll_call is not None else ["present"] * len(staff_ids)
    answers = answers if answers is not None else {"office_culture": {"oc1": "pass", "oc2": "fail"},
                                                   "alcohol_tobacco": {"at1": "pass"}}
    with ctx.session() as s:
        visit = m.Visit(unit_id=unit_id, kind="unannounced", status="draft", decision_number="125/QĐ-SNV",
                        arrival_at=when, place="Trụ sở UBND xã", device_id=ctx.settings.device_id,
                        checklists=[{"id": c, "version": "2.0"} for c in answers])
        s.add(visit)
        s.flush()
        seeded = Seeded(visit_id=visit.id, unit_id=unit_id, staff_ids=list(staff_ids))
        s.add(m.Participant(visit_id=visit.id, side="team", role="leader", full_name="Trần Thị Bình",
                            position="Phó Giám đốc Sở"))
        for staff_id, status_ in zip(staff_ids, roll_call):
            s.add(m.RollCallEntry(visit_id=visit.id, staff_id=staff_id, status=status_,
                                  reason="ốm" if status_ == "absent_excused" else ""))
        for checklist, items in answers.items():
            for item, value in items.items():
                a = m.Answer(visit_id=visit.id, checklist_id=checklist, checklist_version="2.0", item_id=item,
                             value=value)
                s.add(a)
                s.flush()
                seeded.answer_ids[(checklist, item)] = a.id
        for kind, text in findings:
            f = m.Finding(visit_id=visit.id, description=text, kind=kind, severity="medium",
                          checklist_id="alcohol_tobacco" if kind in ("alcohol", "tobacco") else None)
            s.add(f)
            s.flush()
            seeded.finding_ids.append(f.id)
        if timeliness:
            reg = m.Register(visit_id=visit.id, unit_id=unit_id, source_name="so-theo-doi.xlsx", row_count=len(timeliness))
            s.add(reg)
            s.flush()
            sample = m.Sample(visit_id=visit.id, register_id=reg.id, algorithm_version="1", frame_hash="f" * 64,
                              commitment="c" * 64)
            s.add(sample)
            s.flush()
            for i, t in enumerate(timeliness):
                d = m.Dossier(register_id=reg.id, code=f"000.00.12.H56-260301-{i:04d}", procedure_name="Chứng thực")
                s.add(d)
                s.flush()
                s.add(m.DossierCheck(visit_id=visit.id, sample_id=sample.id, dossier_id=d.id, rank=i, timeliness=t))
        for i in range(photos):
            data = jpeg_bytes(hash((visit.id, i)) % 10_000)
            sha = hashlib.sha256(data).hexdigest()
            rel = store_file(ctx, f"photos/{sha[:2]}/{sha[2:]}.jpg", data)  # media.storage's layout
            thumb = store_file(ctx, f"photos/{sha[:2]}/{sha[2:]}.thumb.jpg", data[: len(data)])
            p = m.Photo(visit_id=visit.id, sha256=sha, original_path=rel, report_path=rel, thumb_path=thumb,
                        mime="image/jpeg", byte_size=len(data), caption=f"Ảnh {i + 1}",
                        finding_id=seeded.finding_ids[0] if seeded.finding_ids else None)
            s.add(p)
            s.flush()
            seeded.photo_ids.append(p.id)
        for text, deadline, reported in remedies:
            r = m.Remedy(visit_id=visit.id, text=text, deadline=deadline, report_due=deadline,
                         status="reported" if reported else "open", reported_on=reported)
            s.add(r)
            s.flush()
            seeded.remedy_ids.append(r.id)
        if minutes:
            pdf = b"%PDF-1.7\n% minutes of " + visit.id.encode() + b"\n%%EOF\n"
            rel = store_file(ctx, f"minutes/{visit.id}/v1.pdf", pdf)
            doc = m.MinutesDocument(visit_id=visit.id, version=1, number="05/BB-SNV", file_path=rel,
                                    sha256=hashlib.sha256(pdf).hexdigest(), byte_size=len(pdf), signed=signed,
                                    signed_at=when + timedelta(hours=3) if signed else None)
            s.add(doc)
            s.flush()
            seeded.minutes_ids.append(doc.id)
        visit.status = status
    return seeded


def table_dump(ctx) -> dict[str, list[tuple]]:
    """Every row of every table, for "nothing changed" comparisons."""
    from sqlalchemy import select
    from sqlmodel import SQLModel

    out = {}
    with ctx.session() as s:
        for table in SQLModel.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            rows = s.execute(select(table).order_by(*pk)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def files_dump(ctx) -> dict[str, bytes]:
    return {str(p.relative_to(ctx.data_dir)): p.read_bytes() for p in sorted(ctx.data_dir.rglob("*"))
            if p.is_file() and p.suffix not in (".db", ".db-wal", ".db-shm") and "inspection.db" not in p.name
            and p.name != "settings.yaml" and p.relative_to(ctx.data_dir).parts[0] not in ("device", ".staging")}
