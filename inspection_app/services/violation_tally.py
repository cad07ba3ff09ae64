"""Each violation counted once, whichever way it was recorded (issue #12, point 1).

A violation is ``(visit, kind, subject)``; the subject is the person (``"p:<staff id>"``), or when no
person is named the checklist item (``"i:<checklist>/<item>"``), or else the finding itself
(``"f:<finding id>"``). Sources, all reduced to such keys and united (SQL ``UNION`` removes repeats):

1. roll-call entries late / absent without reason / left post → kind = the status, subject = the person;
2. findings with a kind, for each person they concern (``FindingPerson`` and ``Finding.staff_id``);
3. findings with a kind and nobody named → the item they hang off, else the finding;
4. failed answers of items whose checklist data gives a ``violation_kind`` → the item, unless a finding
   of the same kind on that item names people (then the people are the violations).

So a failed "no smoking indoors" item plus a finding about the smoker linked to that item and person
is one tobacco violation (the person's); a late roll-call entry plus a "late" finding about the same
person is one. Everything is grouped in SQL, per visit, from covering indexes (``store.office``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    Subquery,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from ..domain.checklist import Checklist, Item
from ..domain.violations import ViolationKind
from ..store import models as m
from ..store.office import FindingPerson
from .context import AppContext

KIND_CODES = tuple(k.value for k in ViolationKind)
ROLL_CALL_KINDS = (ViolationKind.LATE.value, ViolationKind.ABSENT_UNEXCUSED.value, ViolationKind.LEFT_POST.value)

# Until checklist items carry ``violation_kind`` (the lead adds ``Item.violation_kind``), the kind of a
# failed item follows its checklist and section. Once the field exists, the data alone decides.
_FALLBACK_SECTION = {("alcohol_tobacco", "alcohol"): "alcohol", ("alcohol_tobacco", "tobacco"): "tobacco"}
_FALLBACK_CHECKLIST = {"office_culture": "office_culture", "leadership_duties": "head_duties"}


def _data_has_kinds() -> bool:
    return "violation_kind" in getattr(Item, "model_fields", {})


def checklist_item_kinds(checklists: Iterable[Checklist]) -> dict[tuple[str, str], str]:
    """``(checklist id, item id) -> kind`` for the items whose failure is a violation."""
    has_field = _data_has_kinds()
    out: dict[tuple[str, str], str] = {}
    for c in checklists:
        for section in c.sections:
            for item in section.items:
                if has_field:
                    kind = getattr(item, "violation_kind", None)
                else:
                    kind = _FALLBACK_SECTION.get((c.id, section.id)) or _FALLBACK_CHECKLIST.get(c.id)
                if kind:
                    out[(c.id, item.id)] = str(getattr(kind, "value", kind))
    return out


def item_kinds(ctx: AppContext) -> dict[tuple[str, str], str]:
    """Kinds of the items of every checklist known here: the catalogue and the stored snapshots."""
    from .checklists import checklist_version, load_catalogue

    lists = list(load_catalogue(ctx).checklists.values())
    key: Any
    with ctx.session() as s:
        for key in s.execute(select(col(m.ChecklistSnapshot.checklist_id), col(m.ChecklistSnapshot.version))).all():
            try:
                lists.append(checklist_version(ctx, s, key[0], key[1]))
            except Exception:  # noqa: BLE001  (an unreadable snapshot: its items simply carry no kind)
                continue
    kinds: dict[tuple[str, str], str] = {}
    for c in lists:  # newest catalogue first; older snapshots only add items the catalogue lacks
        for key, kind in checklist_item_kinds([c]).items():
            kinds.setdefault(key, kind)
    return kinds


def _finding_kind(f: Any) -> ColumnElement[Any]:
    """Finding.kind as a ViolationKind code; older codes that are not one count as "other"."""
    return case((f.kind.in_(KIND_CODES), f.kind), else_=literal("other"))


def _answer_kind(an: Any, kinds: dict[tuple[str, str], str]) -> ColumnElement[Any] | None:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (checklist, item), kind in kinds.items():
        groups[(checklist, kind)].append(item)
    if not groups:
        return None
    return case(*[(and_(an.checklist_id == c, an.item_id.in_(sorted(items))), literal(kind))
                  for (c, kind), items in sorted(groups.items())], else_=literal(None, String))


def violation_keys(visit_ids: Any, kinds: dict[tuple[str, str], str]) -> Subquery:
    """SELECT of distinct ``(visit_id, kind, subject)`` for the visits in ``visit_ids`` (a SELECT of ids)."""
    rc, f, fp, an = m.RollCallEntry, m.Finding, FindingPerson, m.Answer
    p = literal("p:")
    parts: list[Select[Any]] = [
        select(col(rc.visit_id).label("visit_id"), col(rc.status).label("kind"), (p + col(rc.staff_id)).label("subject"))
        .where(col(rc.visit_id).in_(visit_ids), col(rc.status).in_(ROLL_CALL_KINDS)),
        select(col(f.visit_id), _finding_kind(f), p + col(fp.staff_id)).join(fp, col(fp.finding_id) == col(f.id))
        .where(col(f.visit_id).in_(visit_ids), col(f.kind) != ""),
        select(col(f.visit_id), _finding_kind(f), p + col(f.staff_id))
        .where(col(f.visit_id).in_(visit_ids), col(f.kind) != "", col(f.staff_id).is_not(None)),
        select(col(f.visit_id), _finding_kind(f),
               case((col(f.item_id).is_not(None), literal("i:") + func.coalesce(col(f.checklist_id), "") + "/" + col(f.item_id)),
                    else_=literal("f:") + f.id))
        .where(col(f.visit_id).in_(visit_ids), col(f.kind) != "", col(f.staff_id).is_(None),
               ~exists(select(col(fp.id)).where(col(fp.finding_id) == col(f.id)))),
    ]
    kind_expr = _answer_kind(an, kinds)
    if kind_expr is not None:
        f2: Any = aliased(m.Finding)
        named = exists(select(f2.id).where(
            f2.visit_id == an.visit_id, f2.checklist_id == an.checklist_id, f2.item_id == an.item_id,
            _finding_kind(f2) == kind_expr,
            or_(f2.staff_id.is_not(None), exists(select(col(fp.id)).where(col(fp.finding_id) == f2.id)))))
        parts.append(
            select(col(an.visit_id), kind_expr, literal("i:") + col(an.checklist_id) + "/" + col(an.item_id))
            .where(col(an.visit_id).in_(visit_ids), col(an.value) == "fail",
                   col(an.checklist_id).in_(sorted({c for c, _ in kinds})), kind_expr.is_not(None), ~named))
    return union(*parts).subquery("violation_keys")


def counts_by_visit(conn: Connection | Session, visit_ids: Any,
                    kinds: dict[tuple[str, str], str]) -> dict[str, dict[str, int]]:
    """``visit id -> {kind: violations}`` (grouped in SQL)."""
    keys = violation_keys(visit_ids, kinds)
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for vid, kind, n in conn.execute(select(keys.c.visit_id, keys.c.kind, func.count())
                                     .group_by(keys.c.visit_id, keys.c.kind)):
        out[vid][kind] = n
    return out


@dataclass(frozen=True)
class Violation:
    """One violation, with what the record says about it."""

    visit_id: str
    kind: str
    subject: str
    staff_id: str | None
    person: str  # full name, "" when nobody is named
    position: str
    employment_type: str
    description: str  # the findings' text, else the roll-call status or the item and its note
    sources: tuple[str, ...]  # "roll_call", "checklist", "finding"
    finding_ids: tuple[str, ...]


_ROLL_TEXT = {"late": "Đi muộn", "absent_unexcused": "Vắng mặt không có lý do", "left_post": "Rời vị trí trong giờ làm việc"}


def list_violations(session: Session, visit_ids: Any, kinds: dict[tuple[str, str], str],
                    item_text: Callable[[str, str], str] | None = None) -> list[Violation]:
    """Every violation of the visits in ``visit_ids``, described. ``item_text(checklist, item)`` names items."""
    keys = violation_keys(visit_ids, kinds)
    rows = session.execute(select(keys.c.visit_id, keys.c.kind, keys.c.subject)).all()
    if not rows:
        return []
    vids = sorted({r[0] for r in rows})
    f, fp = m.Finding, FindingPerson
    findings = session.execute(select(col(f.id), col(f.visit_id), col(f.kind), col(f.staff_id), col(f.checklist_id), col(f.item_id),
                                      col(f.description)).where(col(f.visit_id).in_(vids), col(f.kind) != "")).all()
    people_of: dict[str, set[str]] = defaultdict(set)
    for fid, sid in session.execute(select(col(fp.finding_id), col(fp.staff_id)).where(col(fp.visit_id).in_(vids))):
        people_of[fid].add(sid)
    by_key: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for row in findings:
        kind = row.kind if row.kind in KIND_CODES else "other"
        people = set(people_of.get(row.id, ()))
        if row.staff_id:
            people.add(row.staff_id)
        subjects = [f"p:{pid}" for pid in people] or (
            [f"i:{row.checklist_id or ''}/{row.item_id}"] if row.item_id else [f"f:{row.id}"])
        if people and row.item_id:
            subjects.append(f"i:{row.checklist_id or ''}/{row.item_id}")  # its item is covered by the people
        for subj in subjects:
            by_key[(row.visit_id, kind, subj)].append(row)
    roll = {(e.visit_id, e.status, f"p:{e.staff_id}"): e for e in session.execute(
        select(m.RollCallEntry).where(col(m.RollCallEntry.visit_id).in_(vids),
                                      col(m.RollCallEntry.status).in_(ROLL_CALL_KINDS))).scalars()}
    notes = {(a.visit_id, f"i:{a.checklist_id}/{a.item_id}"): a.note for a in session.execute(
        select(col(m.Answer.visit_id), col(m.Answer.checklist_id), col(m.Answer.item_id), col(m.Answer.note))
        .where(col(m.Answer.visit_id).in_(vids), col(m.Answer.value) == "fail")).all()}
    staff_ids = {r[2][2:] for r in rows if r[2].startswith("p:")}
    staff = {s.id: s for s in session.execute(select(m.StaffMember).where(col(m.StaffMember.id).in_(staff_ids))).scalars()} \
        if staff_ids else {}
    out = []
    for vid, kind, subject in rows:
        linked = by_key.get((vid, kind, subject), [])
        sources = []
        texts = [r.description for r in linked]
        entry = roll.get((vid, kind, subject))
        if entry is not None:
            sources.append("roll_call")
            if not texts:
                late = f" {entry.minutes_late} phút" if kind == "late" and entry.minutes_late else ""
                texts.append(_ROLL_TEXT.get(kind, kind) + late)
        item_subjects = [subject] if subject.startswith("i:") else [
            f"i:{r.checklist_id or ''}/{r.item_id}" for r in linked if r.item_id]
        for subj in item_subjects:
            if (vid, subj) in notes:
                sources.append("checklist")
                if not texts:
                    checklist, _, item = subj[2:].partition("/")
                    label = item_text(checklist, item) if item_text else item
                    note = notes[(vid, subj)]
                    texts.append(f"{label}: {note}" if note else label)
                break
        if linked:
            sources.append("finding")
        person = staff.get(subject[2:]) if subject.startswith("p:") else None
        out.append(Violation(
            visit_id=vid, kind=kind, subject=subject, staff_id=person.id if person else None,
            person=person.full_name if person else "", position=person.position if person else "",
            employment_type=person.employment_type if person else "",
            description="; ".join(dict.fromkeys(t for t in texts if t)), sources=tuple(sources),
            finding_ids=tuple(sorted({r.id for r in linked}))))
    return out
