"""Dossier registers for a visit: preview, import, and the stored canonical frame.

See :mod:`inspection_app.services.sampling` for the order that makes a sample auditable. An upload is
read from memory (:func:`preview_register_bytes`); what is stored is the canonical frame, only the
columns the check uses, with its hash. Register dates are local wall-clock times (Asia/Ho_Chi_Minh);
the store keeps UTC, so they are converted on the way in and back on the way out, exactly, which
keeps the frame hash of the stored dossiers equal to the hash of the file.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, overload

from sqlalchemy import DateTime, insert, type_coerce
from sqlmodel import col, select

from inspection_app.locale import both

from ..domain.errors import ValidationFailed
from ..domain.localtime import UTC_OFFSET  # local time has one home
from ..domain.sampling import (
    DossierRecord,
    Frame,
    build_frame,
)
from ..registers import RegisterImport, read_register, read_register_bytes
from ..registers.reader import without_gc_pauses
from ..store.models import Dossier, Register
from ..store.types import new_id
from .common import get_or_404, visit_for_update
from .context import AppContext

MAX_STORED_PROBLEMS = 1000  # a register with more unreadable rows keeps the first ones and the count
_INSERT_BATCH = 5000


# --- registers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterPreview:
    """What the import screen shows before anything is stored."""

    result: RegisterImport
    frame_hash: str
    domains: tuple[tuple[str, int], ...]  # (domain, dossiers), largest first
    first_records: tuple[DossierRecord, ...]


@dataclass(frozen=True)
class RegisterSummary:
    id: str
    visit_id: str | None
    source_name: str
    source_sha256: str
    file_format: str
    encoding: str
    sheet: str
    row_count: int
    bad_row_count: int
    frame_hash: str
    mapping: dict[str, Any]
    problems: tuple[dict[str, Any], ...]
    imported_by: str
    imported_at: datetime


def preview_register(path: str | Path, sheet: str | None = None) -> RegisterPreview:
    """Read a register file and describe it, storing nothing."""
    return _preview(read_register(path, sheet=sheet))


def preview_register_bytes(data: bytes, source_name: str, sheet: str | None = None) -> RegisterPreview:
    """Read a register held in memory (an upload) and describe it; nothing is written anywhere.

    The register holds citizens' personal data: the upload is never copied to disk. What is kept, at
    :func:`import_register`, is the canonical frame (only the columns the check uses).
    """
    return _preview(read_register_bytes(data, source_name, sheet=sheet))


def preview_register_file(data: bytes | str | Path, source_name: str, sheet: str | None = None) -> RegisterPreview:
    """A picked file: its bytes (a browser upload) or its path on this device (never copied)."""
    if isinstance(data, bytes | bytearray):
        return preview_register_bytes(bytes(data), source_name, sheet)
    return _preview(read_register_bytes(_read_picked(Path(data)), source_name, sheet=sheet))


def _read_picked(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationFailed("Không mở được tệp {name}: {value}.", name=path.name, value=exc.strerror or exc) from exc


def _preview(result: RegisterImport) -> RegisterPreview:
    counts: dict[str, int] = {}
    for record in result.records:
        counts[record.stratum_domain] = counts.get(record.stratum_domain, 0) + 1
    domains = tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return RegisterPreview(result, result.frame.hash, domains, result.records[:20])


def _mapping_json(result: RegisterImport) -> dict[str, Any]:
    m = result.mapping
    return {
        "file_format": result.file_format,
        "header_row": m.header_row,
        "mapped": [{"field": c.field, "header": c.header, "column": c.index + 1} for c in m.mapped],
        "ignored": [{"header": c.header, "column": c.index + 1, "reason": c.reason} for c in m.ignored],
        "missing": list(m.missing),
        "rows_read": result.rows_read,
        "bad_rows": len(result.bad_rows),
        "duplicate_codes": len(result.duplicate_codes),
    }


def _summary(reg: Register) -> RegisterSummary:
    mapping = reg.mapping or {}
    return RegisterSummary(
        id=reg.id,
        visit_id=reg.visit_id,
        source_name=reg.source_name,
        source_sha256=reg.source_sha256,
        file_format=mapping.get("file_format", ""),
        encoding=reg.encoding,
        sheet=reg.sheet,
        row_count=reg.row_count,
        bad_row_count=int(mapping.get("bad_rows", len(reg.problems or []))),
        frame_hash=reg.frame_hash,
        mapping=mapping,
        problems=tuple(reg.problems or ()),
        imported_by=reg.imported_by,
        imported_at=reg.created_at,
    )


def _aware(value: datetime | None) -> datetime | None:
    """A register's local wall-clock time as an aware UTC datetime, for the store."""
    if value is None:
        return None
    return (value - UTC_OFFSET).replace(tzinfo=UTC)


@overload
def _local(value: datetime) -> datetime: ...
@overload
def _local(value: datetime | None) -> datetime | None: ...
def _local(value: datetime | None) -> datetime | None:
    """A stored UTC datetime (aware, or naive in UTC) as the register's local wall-clock time."""
    if value is None:
        return None
    utc = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return utc + UTC_OFFSET


def import_register(
    ctx: AppContext,
    visit_id: str,
    path: str | Path | None = None,
    sheet: str | None = None,
    *,
    preview: RegisterPreview | None = None,
) -> RegisterSummary:
    """Store a register for a visit: the readable rows, the mapping, the unreadable rows, the hash.

    Pass the `preview` the user just looked at to avoid reading the file twice (then `path` is not
    needed: an upload is read from memory only).
    """
    if preview is None and path is None:
        raise ValueError("import_register needs a path or a preview")
    result = preview.result if preview is not None else read_register(path, sheet=sheet)  # type: ignore[arg-type]
    frame = result.frame
    with ctx.session() as s, without_gc_pauses():
        visit = visit_for_update(s, visit_id)
        problems = [{"row": b.row, "code": b.code, "vi": b.reason_vi, "en": b.reason_en} for b in result.bad_rows]
        register = Register(
            visit_id=visit_id,
            unit_id=visit.unit_id,
            source_name=result.source_name,
            source_sha256=result.file_sha256,
            encoding=result.encoding or "",
            sheet=result.sheet or "",
            row_count=frame.size,
            frame_hash=frame.hash,
            mapping=_mapping_json(result),
            problems=problems[:MAX_STORED_PROBLEMS],
            imported_by=ctx.actor,
        )
        s.add(register)
        s.flush()
        rows = [
            {
                "id": new_id(),
                "register_id": register.id,
                "code": r.code,
                "procedure_name": r.procedure_name or "",
                "procedure_code": r.procedure_code or "",
                "domain": r.domain or "",
                "channel": r.channel or "",
                "received_at": _aware(r.received),
                "due_at": _aware(r.due),
                "finished_at": _aware(r.finished),
                "returned_at": _aware(r.returned),
                "status": r.status or "",
                "processing_unit": r.processing_unit or "",
                "note": r.note or "",
            }
            for r in frame.records
        ]
        # Core bulk insert: a register has up to ~100,000 rows; dossiers are not visit-owned
        # records and are not audited one by one (the Register insert, with the frame hash, is).
        connection = s.connection()
        for start in range(0, len(rows), _INSERT_BATCH):
            connection.execute(insert(Dossier.__table__), rows[start : start + _INSERT_BATCH])  # type: ignore[attr-defined]
        summary = _summary(register)
    _remember_frame(ctx, summary.id, frame.derive())  # the draw's indexes now, not at the draw
    return summary


def list_registers(ctx: AppContext, visit_id: str) -> list[RegisterSummary]:
    with ctx.session() as s:
        regs = s.exec(select(Register).where(col(Register.visit_id) == visit_id).order_by(col(Register.created_at)))
        return [_summary(r) for r in regs]


def _none_if_empty(value: str) -> str | None:
    return value or None


# The frames of the last registers imported or loaded in this process: the draw follows the import
# within minutes, and reading 100,000 dossiers back costs seconds. Keyed by database and register.
_FRAMES: OrderedDict[tuple[str, str], Frame] = OrderedDict()
_FRAMES_KEPT = 2


def _remember_frame(ctx: AppContext, register_id: str, frame: Frame) -> None:
    _FRAMES[(ctx.config.database_url, register_id)] = frame
    _FRAMES.move_to_end((ctx.config.database_url, register_id))
    while len(_FRAMES) > _FRAMES_KEPT:
        _FRAMES.popitem(last=False)


def forget_frames() -> None:
    """Drop the frames kept in memory (as a restart does); the next draw reads the store."""
    _FRAMES.clear()


def load_frame(ctx: AppContext, register_id: str) -> Frame:
    """The register as a sampling frame: kept from the import, or read back from the store.

    Read back, it must still have the hash recorded at import, or it is refused.
    """
    with ctx.session() as s:
        register = get_or_404(s, Register, register_id, *both("sổ theo dõi hồ sơ"))
        expected = register.frame_hash
        kept = _FRAMES.get((ctx.config.database_url, register_id))
        if kept is not None and kept.hash == expected:
            return kept
        # Dates without the UTC column type: naive UTC straight from the driver, shifted below.
        when = [type_coerce(c, DateTime) for c in (Dossier.received_at, Dossier.due_at, Dossier.finished_at,
                                                    Dossier.returned_at)]  # fmt: skip
        cols: tuple[Any, ...] = (Dossier.code, Dossier.procedure_code, Dossier.procedure_name, Dossier.domain, Dossier.channel,
                *when, Dossier.status, Dossier.processing_unit, Dossier.note)  # fmt: skip
        rows = s.execute(select(*cols).where(col(Dossier.register_id) == register_id)).all()
    e, t = _none_if_empty, _local
    with without_gc_pauses():
        records = [
            DossierRecord(c, e(pc), e(pn), e(d), e(ch), t(rc), t(du), t(fi), t(rt), e(st), e(pu), e(no))
            for c, pc, pn, d, ch, rc, du, fi, rt, st, pu, no in rows
        ]
        frame = build_frame(records)
    if frame.hash != expected:
        raise ValidationFailed(
            "Dữ liệu sổ theo dõi đã lưu không còn khớp với mã băm lúc nhập; không thể chọn mẫu từ dữ liệu này.",
            register_id=register_id,
        )
    _remember_frame(ctx, register_id, frame.derive())
    return frame
