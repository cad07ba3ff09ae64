"""What both reports say, gathered once from the store: figures, violations, handling, visits.

Only finished visits of the period count (``office_dates``); the dashboard's figures are the same
numbers (``dashboard.dashboard`` is called here), so the report and the screen cannot disagree.
The issuers' names are derived from the settings (``config.Department``): the province from the
parent agency ("UBND TỈNH TÂY NINH" → "TỈNH TÂY NINH"), the team's code from its name's initials
("ĐOÀN KIỂM TRA CÔNG VỤ" → "ĐKTCV") unless the settings give them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import col

from ..config import Department
from ..domain.errors import ValidationFailed
from ..domain.outcomes import CATEGORIES, CATEGORY_LABELS, HANDLINGS, NONE, staff_category
from ..domain.report import (
    VIOLATION_LABELS,
    Count,
    Metrics,
    OpenVisit,
    OverdueRemedy,
    RemedySummary,
    UnitKindRow,
    ViolationLine,
    VisitLine,
)
from ..domain.text import fold
from ..store import models as m
from ..store.office import Outcome
from .context import AppContext
from .dashboard import Dashboard, dashboard, open_visits, visit_filter
from .follow_up import remedies
from .office_dates import local_date
from .violation_tally import KIND_CODES, Violation, item_kinds, list_violations

_PREFIXES = ("ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN ", "UBND ")


def province_caps(dept: Department) -> str:
    """"TỈNH TÂY NINH" / "THÀNH PHỐ HÀ NỘI": the settings' province and its kind, else the parent agency's tail."""
    if dept.province:
        return dept.province_name().upper()
    parent = (dept.parent_agency or "").strip().upper()
    for prefix in _PREFIXES:
        if parent.startswith(prefix):
            return parent[len(prefix):].strip()
    return parent


def province_sentence(dept: Department) -> str:
    """"tỉnh Tây Ninh" / "thành phố Hà Nội", as it reads inside a sentence: the province as typed, never
    re-cased (an empty string until the department's identity is set)."""
    return dept.province_name()


def initials(name: str) -> str:
    """"ĐOÀN KIỂM TRA CÔNG VỤ" → "ĐKTCV" (first letter of each word, its marks removed but Đ kept)."""
    out = []
    for word in name.split():
        first = word[0].upper()
        out.append(first if first == "Đ" else (fold(first).upper() or first))
    return "".join(out)


def team_code(dept: Department) -> str:
    return (getattr(dept, "team_code", "") or "").strip() or initials(dept.team_name or "ĐOÀN KIỂM TRA CÔNG VỤ")


def check_period(date_from: date, date_to: date, today: date) -> None:
    """A report covers a period that has ended: ``date_from <= date_to < today``."""
    if date_to < date_from:
        raise ValidationFailed("Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu.")
    if date_to >= today:
        raise ValidationFailed(
            "Kỳ báo cáo đến hết ngày {date_to:%d/%m/%Y} chưa kết thúc; báo cáo được lập từ ngày {value:%d/%m/%Y}.", date_to=date_to, value=date_to + timedelta(days=1))


def previous_period(date_from: date, date_to: date) -> tuple[date, date]:
    """The period just before, of the same length: whole months when the period is whole months."""
    end_of_month = (date_to + timedelta(days=1)).day == 1
    if date_from.day == 1 and end_of_month:
        months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
        y, mo = divmod(date_from.year * 12 + date_from.month - 1 - months, 12)
        return date(y, mo + 1, 1), date_from - timedelta(days=1)
    span = date_to - date_from
    prev_to = date_from - timedelta(days=1)
    return prev_to - span, prev_to


def _item_texts(ctx: AppContext) -> dict[tuple[str, str], str]:
    from .checklists import load_catalogue

    return {(c.id, i.id): i.text.vi for c in load_catalogue(ctx).checklists.values() for i in c.items}


@dataclass
class Gathered:
    board: Dashboard
    units_visited: int
    planned: int
    unannounced: int
    violations: list[ViolationLine]
    raw: list[Violation]
    by_kind: list[Count]
    by_category: list[Count]
    by_unit_kind: list[UnitKindRow]
    handling: list[Count]
    visits: list[VisitLine]
    remedies: RemedySummary
    overdue: list[OverdueRemedy] = field(default_factory=list)
    open_visits: list[OpenVisit] = field(default_factory=list)  # all of them, oldest first


def gather(ctx: AppContext, date_from: date, date_to: date, today: date) -> Gathered:
    board = dashboard(ctx, date_from, date_to)
    kinds = item_kinds(ctx)
    texts = _item_texts(ctx)
    where = visit_filter(date_from, date_to, None)
    with ctx.session() as s:
        ids = select(col(m.Visit.id)).where(*where)
        kinds_count: dict[str, int] = dict(s.execute(select(col(m.Visit.kind), func.count()).where(*where).group_by(col(m.Visit.kind))).tuples().all())
        visit_rows = s.execute(
            select(col(m.Visit.id), col(m.Visit.unit_id), col(m.Unit.name), col(m.Unit.kind).label("unit_kind"), col(m.Visit.arrival_at),
                   col(m.Visit.created_at), col(m.Visit.kind), col(m.Visit.minutes_number), col(m.Visit.status))
            .join(m.Unit, col(m.Unit.id) == col(m.Visit.unit_id)).where(*where)).all()
        raw = list_violations(s, ids, kinds, lambda c, i: texts.get((c, i), i))
        outcomes = {(o.visit_id, o.kind, o.subject): o.handling for o in s.execute(
            select(Outcome).where(col(Outcome.visit_id).in_(ids))).scalars()}
        pending, _ = open_visits(s, date_from, date_to, None, limit=1_000_000)
    info = {r.id: r for r in visit_rows}
    lines = []
    per_visit: Counter[str] = Counter()
    for v in raw:
        r = info[v.visit_id]
        per_visit[v.visit_id] += 1
        lines.append(ViolationLine(
            unit_name=r.name, visit_date=local_date(r.arrival_at or r.created_at), kind=v.kind,
            description=v.description, person=v.person,
            category=staff_category(v.employment_type) if v.staff_id else "",
            handling=outcomes.get((v.visit_id, v.kind, v.subject), NONE), minutes_number=r.minutes_number))
    lines.sort(key=lambda x: (x.visit_date or date.min, fold(x.unit_name), KIND_CODES.index(x.kind), fold(x.person)))
    kind_n = Counter(x.kind for x in lines)
    by_kind = [Count(k, VIOLATION_LABELS[k], kind_n.get(k, 0)) for k in KIND_CODES]
    cat_n: Counter[str] = Counter()
    cat_people: dict[str, set[str]] = defaultdict(set)
    for v in raw:
        if v.staff_id:
            cat = staff_category(v.employment_type)
            cat_n[cat] += 1
            cat_people[cat].add(v.staff_id)
    by_category = [Count(c, CATEGORY_LABELS[c], cat_n.get(c, 0), len(cat_people.get(c, ()))) for c in CATEGORIES]
    uk_units: dict[str, set[str]] = defaultdict(set)
    uk_visits: Counter[str] = Counter()
    uk_viol: Counter[str] = Counter()
    for r in visit_rows:
        key = (r.unit_kind or "").strip() or "Chưa phân loại"
        uk_units[key].add(r.unit_id)
        uk_visits[key] += 1
        uk_viol[key] += per_visit.get(r.id, 0)
    by_unit_kind = [UnitKindRow(k, len(uk_units[k]), uk_visits[k], uk_viol[k]) for k in sorted(uk_units, key=fold)]
    handled = Counter(x.handling for x in lines)
    handling = [Count(h.code, h.label, handled.get(h.code, 0)) for h in HANDLINGS if handled.get(h.code) or h.code == NONE]
    visits = sorted((VisitLine(r.name, r.unit_kind or "", local_date(r.arrival_at or r.created_at), r.kind,
                               r.minutes_number, r.status, per_visit.get(r.id, 0), r.id) for r in visit_rows),
                    key=lambda x: (x.visit_date or date.min, fold(x.unit_name)))
    follow = [r for r in remedies(ctx, today, date_from=date_from, date_to=date_to) if r.visit_id in info]
    status = Counter(r.status for r in follow)
    overdue = [OverdueRemedy(r.unit_name, r.visit_date, r.text, r.report_due or r.deadline, r.days_overdue)
               for r in follow if r.overdue]
    return Gathered(
        board=board, units_visited=len({r.unit_id for r in visit_rows}),
        planned=kinds_count.get(m.VisitKind.PLANNED.value, 0),
        unannounced=kinds_count.get(m.VisitKind.UNANNOUNCED.value, 0), violations=lines, raw=raw, by_kind=by_kind,
        by_category=by_category, by_unit_kind=by_unit_kind, handling=handling, visits=visits,
        remedies=RemedySummary(total=len(follow), open=status.get("open", 0), overdue=len(overdue),
                               reported=status.get("reported", 0), done=status.get("done", 0)),
        overdue=overdue, open_visits=pending)


def metrics_only(ctx: AppContext, date_from: date, date_to: date) -> Metrics:
    return dashboard(ctx, date_from, date_to).totals
