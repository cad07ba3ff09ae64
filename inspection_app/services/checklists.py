"""Checklists: loading the catalogue, answering items, progress.

The catalogue is read from the checklists shipped in the package (``inspection_app/checklists``,
found through ``importlib.resources``) and from ``<data dir>/checklists``
(where an office can add or update checklists; a file there with the same id and a higher version
wins). A broken file is reported and skipped; the others still load. When a visit starts, the text
of each checklist it uses is stored with it, so the visit renders the same after a checklist changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from types import EllipsisType
from typing import cast

from sqlmodel import Session, col, func, select

from inspection_app.domain.errors import Phrase
from inspection_app.locale import both

from ..domain.answers import missing_evidence, normalise_value
from ..domain.checklist import Checklist
from ..domain.checklist_parse import Problem, parse_checklist
from ..domain.errors import NotFound, ValidationFailed
from ..domain.text import nfc
from ..resources import CHECKLISTS, resource_dir
from ..store.models import Answer, ChecklistSnapshot, Finding, Photo, Visit
from ..store.photo_links import PhotoExtraLink
from ..store.types import utcnow
from .common import get_or_404, visit_for_update
from .context import AppContext

SHIPPED_DIR = resource_dir(CHECKLISTS)  # a real folder, also from a wheel or a zipped tablet build


@dataclass
class Catalogue:
    checklists: dict[str, Checklist] = field(default_factory=dict)  # id -> newest version
    texts: dict[str, str] = field(default_factory=dict)  # "id@version" -> source text
    problems: list[Problem] = field(default_factory=list)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _parse_files(paths: list[Path]) -> tuple[list[tuple[Checklist, str]], list[Problem]]:
    good: list[tuple[Checklist, str]] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), None, "", f"không đọc được tệp / cannot read the file: {exc}"))
            continue
        checklist, found = parse_checklist(text, str(path))
        problems.extend(found)
        if checklist is None:
            continue
        if checklist.key in seen:
            problems.append(Problem(str(path), 1, "id",
                                    f"trùng id và phiên bản với / same id and version as {seen[checklist.key]}"))
            continue
        seen[checklist.key] = str(path)
        good.append((checklist, text))
    return good, problems


def check_files(paths: list[Path]) -> tuple[list[Checklist], list[Problem]]:
    """Validate checklist files; used by ``inspection-app checklists check``.

    Besides each file's own rules (every ``legal_basis`` names an entry of its ``documents``), the
    registers of all the files must agree: one document id means one document everywhere.
    """
    good, problems = _parse_files(paths)
    problems.extend(register_conflicts([(c, src) for (c, _), src in zip(good, _sources(good, paths))]))
    return [c for c, _ in good], problems


def _sources(good: list[tuple[Checklist, str]], paths: list[Path]) -> list[str]:
    by_text: dict[str, str] = {}
    for path in paths:
        try:
            by_text.setdefault(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError):
            continue
    return [by_text.get(text, c.id) for c, text in good]


def register_conflicts(checklists: list[tuple[Checklist, str]]) -> list[Problem]:
    """Documents with the same id but different details in two checklists."""
    seen: dict[str, tuple[object, str]] = {}
    problems: list[Problem] = []
    for checklist, source in checklists:
        for key, doc in checklist.documents.items():
            if key not in seen:
                seen[key] = (doc, source)
            elif seen[key][0] != doc:
                problems.append(Problem(source, None, f"documents.{key}",
                                        f"khác với khai báo trong / differs from the entry in {seen[key][1]}"))
    return problems


def unverified_references(checklists: list[Checklist]) -> list[tuple[str, str, str]]:
    """(checklist id, item id or ``documents.<id>``, citation) of every reference not yet verified."""
    out: list[tuple[str, str, str]] = []
    documents_listed: set[str] = set()
    for c in checklists:
        for where, text in c.unverified():
            if where.startswith("documents."):
                if where in documents_listed:
                    continue
                documents_listed.add(where)
            out.append((c.id, where, text))
    return out


_cache: dict[tuple[tuple[str, int, int], ...], Catalogue] = {}


def catalogue_dirs(ctx: AppContext) -> list[Path]:
    return [SHIPPED_DIR, ctx.data_dir / "checklists"]


def load_catalogue(ctx: AppContext) -> Catalogue:
    """The checklists on disk, re-read only when a file changed."""
    files: list[Path] = []
    for d in catalogue_dirs(ctx):
        if d.is_dir():
            files.extend(sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")))
    signature = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    if signature in _cache:
        return _cache[signature]
    cat = Catalogue()
    good, cat.problems = _parse_files(files)
    for checklist, text in good:
        cat.texts[checklist.key] = text
        current = cat.checklists.get(checklist.id)
        if current is None or _version_key(checklist.version) > _version_key(current.version):
            cat.checklists[checklist.id] = checklist
    _cache.clear()
    _cache[signature] = cat
    return cat


def available_checklists(ctx: AppContext, scope: str | None = None) -> list[Checklist]:
    items = sorted(load_catalogue(ctx).checklists.values(), key=lambda c: (c.order, c.id))
    return [c for c in items if scope is None or c.scope == scope]


def snapshot(session: Session, ctx: AppContext, checklist: Checklist) -> None:
    """Store the checklist's text once, keyed by id and version."""
    if session.get(ChecklistSnapshot, checklist.key) is not None:
        return
    text = load_catalogue(ctx).texts[checklist.key]
    session.add(ChecklistSnapshot(key=checklist.key, checklist_id=checklist.id, version=checklist.version,
                                  source_text=text, sha256=hashlib.sha256(text.encode()).hexdigest()))


# Snapshots never change once stored: each is parsed once per process, keyed by its text's hash.
_parsed_snapshots: dict[tuple[str, str], Checklist] = {}


def checklist_version(ctx: AppContext, session: Session, checklist_id: str, version: str) -> Checklist:
    """The exact checklist version a visit used: its stored snapshot, else the catalogue's."""
    key = f"{checklist_id}@{version}"
    digest = session.execute(select(ChecklistSnapshot.sha256).where(ChecklistSnapshot.key == key)).scalar()
    if digest is not None:
        parsed = _parsed_snapshots.get((key, digest))
        if parsed is None:
            parsed, _problems = parse_checklist(cast(ChecklistSnapshot, session.get(ChecklistSnapshot, key)).source_text, key)
            if parsed is not None:
                _parsed_snapshots[(key, digest)] = parsed
        if parsed is not None:
            return parsed
    current = load_catalogue(ctx).checklists.get(checklist_id)
    if current is not None and current.version == version:
        return current
    raise NotFound("Không tìm thấy bảng kiểm {checklist_id} phiên bản {version}.", checklist_id=checklist_id, version=version)


def visit_checklists(ctx: AppContext, visit_id: str) -> list[Checklist]:
    with ctx.session() as s:
        visit = get_or_404(s, Visit, visit_id, *both("lượt kiểm tra"))
        return [checklist_version(ctx, s, ref["id"], ref["version"]) for ref in visit.checklists]


def answers_for(ctx: AppContext, visit_id: str) -> dict[tuple[str, str], Answer]:
    with ctx.session() as s:
        rows = s.exec(select(Answer).where(Answer.visit_id == visit_id))
        return {(a.checklist_id, a.item_id): a for a in rows}


def record_answer(ctx: AppContext, visit_id: str, checklist_id: str, item_id: str,
                  value: str | None | EllipsisType = ..., note: str | None = None) -> Answer:
    """Save one answer at once. ``value=...`` leaves the value as it is (to change only the note)."""
    with ctx.session() as s:
        visit = visit_for_update(s, visit_id)
        ref = next((r for r in visit.checklists if r["id"] == checklist_id), None)
        if ref is None:
            raise ValidationFailed("Bảng kiểm {checklist_id} không áp dụng cho lượt kiểm tra này.", checklist_id=checklist_id)
        checklist = checklist_version(ctx, s, checklist_id, ref["version"])
        try:
            item = checklist.item(item_id)
        except KeyError:
            raise NotFound("Không có mục {item_id} trong bảng kiểm.", item_id=item_id) from None
        answer = s.exec(select(Answer).where(Answer.visit_id == visit_id, Answer.checklist_id == checklist_id,
                                             Answer.item_id == item_id)).first()
        if answer is None:
            answer = Answer(visit_id=visit_id, checklist_id=checklist_id, checklist_version=checklist.version,
                            item_id=item_id)
        if value is not ...:
            try:
                answer.value = normalise_value(item, value)
            except ValueError as exc:
                vi, _, en = str(exc).partition(" / ")
                raise ValidationFailed(vi, en or vi) from exc
        if note is not None:
            answer.note = nfc(note.strip()) or ""
        answer.answered_by = ctx.actor
        answer.answered_at = utcnow()
        if visit.status == "draft":
            visit.status = "on_site"
            s.add(visit)
        s.add(answer)
        return answer


@dataclass(frozen=True)
class SectionProgress:
    checklist_id: str
    section_id: str
    answered: int
    total: int


@dataclass(frozen=True)
class Gap:
    """An item that keeps the visit from being closed."""

    checklist_id: str
    item_id: str
    kind: str  # "unanswered" / "note" / "photo"
    vi: str
    en: str


def progress(ctx: AppContext, visit_id: str) -> list[SectionProgress]:
    checklists = [c for c in visit_checklists(ctx, visit_id) if c.scope == "visit"]
    answers = answers_for(ctx, visit_id)
    out = []
    for c in checklists:
        for section in c.sections:
            done = sum(1 for it in section.items if (a := answers.get((c.id, it.id))) and a.value is not None)
            out.append(SectionProgress(c.id, section.id, done, len(section.items)))
    return out


def gaps(ctx: AppContext, visit_id: str) -> list[Gap]:
    """Unanswered items and failed items lacking a required note or photo."""
    checklists = [c for c in visit_checklists(ctx, visit_id) if c.scope == "visit"]
    answers = answers_for(ctx, visit_id)
    with ctx.session() as s:
        # A photo is evidence for an item when it is linked to the item, or to a finding on that item.
        direct = s.exec(select(Photo.checklist_id, Photo.item_id, func.count())
                        .where(col(Photo.visit_id) == visit_id, col(Photo.item_id).is_not(None))
                        .group_by(col(Photo.checklist_id), col(Photo.item_id))).all()
        via_finding = s.exec(select(Finding.checklist_id, Finding.item_id, func.count())
                             .join(Photo, col(Photo.finding_id) == col(Finding.id))
                             .where(col(Finding.visit_id) == visit_id, col(Finding.item_id).is_not(None))
                             .group_by(col(Finding.checklist_id), col(Finding.item_id))).all()
        # photos linked to the item, or to a finding on it, as well as to their first target (issue #13)
        extra = list(s.exec(select(col(PhotoExtraLink.checklist_id), col(PhotoExtraLink.item_id), func.count())
                       .where(col(PhotoExtraLink.visit_id) == visit_id, col(PhotoExtraLink.item_id).is_not(None))
                       .group_by(col(PhotoExtraLink.checklist_id), col(PhotoExtraLink.item_id))).all())
        extra += s.exec(select(col(Finding.checklist_id), col(Finding.item_id), func.count())
                        .join(PhotoExtraLink, col(PhotoExtraLink.finding_id) == col(Finding.id))
                        .where(col(Finding.visit_id) == visit_id, col(Finding.item_id).is_not(None))
                        .group_by(col(Finding.checklist_id), col(Finding.item_id))).all()
    photo_counts: dict[tuple[str, str], int] = {}
    for checklist_id, item_id, n in [*direct, *via_finding, *extra]:
        photo_counts[(checklist_id, item_id)] = photo_counts.get((checklist_id, item_id), 0) + n
    out: list[Gap] = []
    for c in checklists:
        for item in c.items:
            a = answers.get((c.id, item.id))
            label_vi, label_en = item.text.vi, item.text.en
            if a is None or a.value is None:
                out.append(Gap(c.id, item.id, "unanswered", *both("Chưa trả lời: {label}", label=Phrase(label_vi, label_en))))
                continue
            req = missing_evidence(item, a.value, a.note, photo_counts.get((c.id, item.id), 0))
            if req and req.needs_note:
                out.append(Gap(c.id, item.id, "note", *both("Mục không đạt cần ghi chú: {label}", label=Phrase(label_vi, label_en))))
            if req and req.needs_photo:
                out.append(Gap(c.id, item.id, "photo", *both("Mục không đạt cần ảnh: {label}", label=Phrase(label_vi, label_en))))
    return out
