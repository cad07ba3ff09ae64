"""Minutes numbers from the records office (văn thư).

Decree 30/2020/NĐ-CP, Phụ lục I, II.3.a: the number of a document is the yearly sequence registered
at the agency's văn thư, and two documents never share a number. Tablets work offline, so the office
reserves a *block* of numbers per device, document code and year (:func:`reserve_block`, at the
office); the tablet receives it in its enrolment or has it typed in its settings
(:func:`apply_block`). Closing a visit takes the lowest free number of the device's blocks
(:func:`issue_number`); with no block (or an exhausted one) the minutes carry no number and print
"Số:      /BB-SNV" for the văn thư to fill in by hand.

The register of issued numbers (:class:`~inspection_app.store.numbering.IssuedNumber`) has a unique
constraint on (code, year, number), on SQLite and PostgreSQL alike. The office refuses a second
visit holding a number it already has: the bundle import calls :func:`number_taken` and
:func:`register_number`.

:func:`allocate_number` is the office's own counter (``MinutesCounter``), kept for minutes made at
the office itself and as the floor of new reservations.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..domain import minutes as dm
from ..domain.errors import UserError, ValidationFailed
from ..store.models import MinutesCounter
from ..store.numbering import IssuedNumber, NumberBlock
from .context import AppContext

#: a block larger than this is almost certainly a typing mistake (a year has a few hundred visits)
MAX_BLOCK = 5000


def minutes_code(ctx: AppContext) -> str:
    """"BB-SNV": BB is the code of a biên bản, then the department's code."""
    return f"BB-{ctx.settings.department.code}"


def allocate_number(session: Session, code: str, year: int) -> int:
    """Take the next number of the office's own counter for (code, year), inside the caller's
    transaction.

    The UPDATE takes the row's write lock (SQLite: the database lock; PostgreSQL: the row lock)
    until commit, so two writers never read the same value; the counter only grows.
    """
    for _ in range(5):
        result = cast("CursorResult[Any]", session.execute(
            update(MinutesCounter)
            .where(col(MinutesCounter.department_code) == code, col(MinutesCounter.year) == year)
            .values(last_number=MinutesCounter.last_number + 1)
        ))
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
    raise UserError("Không cấp được số biên bản, hãy thử lại.")


def _check_range(first: int, last: int) -> None:
    if first < 1 or last < first:
        raise ValidationFailed(
            "Khối số không hợp lệ: {first}–{last}. Số đầu phải từ 1 và không lớn hơn số cuối.", first=first, last=last)
    if last - first + 1 > MAX_BLOCK:
        raise ValidationFailed(
            "Khối số {first}–{last} quá lớn (tối đa {MAX_BLOCK} số).", first=first, last=last, MAX_BLOCK=MAX_BLOCK)


def _overlapping(session: Session, code: str, year: int, first: int, last: int) -> NumberBlock | None:
    return session.exec(select(NumberBlock).where(
        NumberBlock.code == code, NumberBlock.year == year,
        NumberBlock.first <= last, NumberBlock.last >= first)).first()


def reserve_block(session: Session, code: str, year: int, device_id: str, count: int, *,
                  reserved_by: str = "") -> NumberBlock:
    """At the office: reserve ``count`` numbers of (code, year) for ``device_id``, after every number
    already reserved, issued or taken from the office's own counter. Returns the new block.

    Raises ValidationFailed for a count below 1 or above :data:`MAX_BLOCK`.
    """
    if not device_id:
        raise ValidationFailed("Chưa chọn thiết bị để cấp khối số.")
    if count < 1 or count > MAX_BLOCK:
        raise ValidationFailed("Số lượng số cần cấp phải từ 1 đến {MAX_BLOCK}.", MAX_BLOCK=MAX_BLOCK)
    top_block = session.exec(select(func.max(NumberBlock.last)).where(
        NumberBlock.code == code, NumberBlock.year == year)).one() or 0
    top_issued = session.exec(select(func.max(IssuedNumber.number)).where(
        IssuedNumber.code == code, IssuedNumber.year == year)).one() or 0
    counter = session.get(MinutesCounter, (code, year))
    first = max(top_block, top_issued, counter.last_number if counter else 0) + 1
    block = NumberBlock(code=code, year=year, device_id=device_id, first=first, last=first + count - 1,
                        source="office", reserved_by=reserved_by)
    session.add(block)
    session.flush()  # the unique (code, year, first) refuses a concurrent reservation of the same start
    return block


def apply_block(session: Session, code: str, year: int, device_id: str, first: int, last: int, *,
                source: str = "settings") -> NumberBlock:
    """On a tablet: record a block the office reserved (typed in the settings, or carried in the
    enrolment: ``source="enrolment"``). Applying the same block twice is a no-op.

    Raises ValidationFailed for a bad range or one that overlaps another block of the same code and year.
    """
    code = (code or "").strip()
    if not code:
        raise ValidationFailed("Thiếu ký hiệu biên bản của khối số (ví dụ BB-SNV).")
    if year < 2000 or year > 2100:
        raise ValidationFailed("Năm của khối số không hợp lệ: {year}.", year=year)
    _check_range(first, last)
    same = session.exec(select(NumberBlock).where(
        NumberBlock.code == code, NumberBlock.year == year, NumberBlock.first == first,
        NumberBlock.last == last, NumberBlock.device_id == device_id)).first()
    if same is not None:
        return same
    other = _overlapping(session, code, year, first, last)
    if other is not None:
        raise ValidationFailed(
            "Khối số {first}–{last}/{code} năm {year} trùng với khối {first2}–{last2} đã có.", first=first, last=last, code=code, year=year, first2=other.first, last2=other.last)
    block = NumberBlock(code=code, year=year, device_id=device_id, first=first, last=last, source=source)
    session.add(block)
    session.flush()
    return block


def list_blocks(session: Session, device_id: str | None = None) -> list[NumberBlock]:
    query = select(NumberBlock).order_by(col(NumberBlock.year), col(NumberBlock.code), col(NumberBlock.first))
    if device_id is not None:
        query = query.where(NumberBlock.device_id == device_id)
    return list(session.exec(query))


def remaining(session: Session, code: str, year: int, device_id: str) -> int:
    """How many numbers of the device's blocks for (code, year) are still free."""
    total = 0
    for block in session.exec(select(NumberBlock).where(
            NumberBlock.code == code, NumberBlock.year == year, NumberBlock.device_id == device_id)):
        used = session.exec(select(func.count()).select_from(IssuedNumber).where(
            IssuedNumber.code == code, IssuedNumber.year == year,
            IssuedNumber.number >= block.first, IssuedNumber.number <= block.last)).one()
        total += block.last - block.first + 1 - used
    return total


def issue_number(session: Session, code: str, year: int, device_id: str, visit_id: str) -> int | None:
    """Give ``visit_id`` the lowest free number of the device's blocks for (code, year), recording it
    in the register; None when the device has no free reserved number (the văn thư fills it in).

    A visit that already holds a number of (code, year) gets that number again.
    """
    held = session.exec(select(IssuedNumber).where(
        IssuedNumber.code == code, IssuedNumber.year == year, IssuedNumber.visit_id == visit_id)).first()
    if held is not None:
        return held.number
    blocks = session.exec(select(NumberBlock).where(
        NumberBlock.code == code, NumberBlock.year == year, NumberBlock.device_id == device_id)
        .order_by(col(NumberBlock.first))).all()
    for block in blocks:
        used = set(session.exec(select(IssuedNumber.number).where(
            IssuedNumber.code == code, IssuedNumber.year == year,
            IssuedNumber.number >= block.first, IssuedNumber.number <= block.last)).all())
        for number in range(block.first, block.last + 1):
            if number in used:
                continue
            try:
                with session.begin_nested():
                    session.add(IssuedNumber(code=code, year=year, number=number, visit_id=visit_id,
                                             device_id=device_id))
                return number
            except IntegrityError:  # taken meanwhile by another writer: try the next one
                continue
    return None


def number_taken(session: Session, code: str, year: int, number: int, visit_id: str | None = None) -> bool:
    """True when (code, year, number) is already held in the register by a visit other than
    ``visit_id``. The bundle import refuses an incoming visit whose number is taken."""
    query = select(IssuedNumber.id).where(IssuedNumber.code == code, IssuedNumber.year == year,
                                          IssuedNumber.number == number)
    if visit_id is not None:
        query = query.where(IssuedNumber.visit_id != visit_id)
    return session.exec(query).first() is not None


def register_number(session: Session, code: str, year: int, number: int, visit_id: str,
                    device_id: str = "") -> IssuedNumber:
    """Record a number that arrived with a visit (bundle import). Raises ValidationFailed, naming the
    number, when another visit holds it already; registering it again for the same visit is a no-op."""
    existing = session.exec(select(IssuedNumber).where(
        IssuedNumber.code == code, IssuedNumber.year == year, IssuedNumber.number == number)).first()
    if existing is not None:
        if existing.visit_id == visit_id:
            return existing
        label = dm.format_minutes_number(number, code)
        raise ValidationFailed(
            "Số biên bản {label} năm {year} đã được dùng cho một cuộc kiểm tra khác; văn thư không nhận trùng số.", label=label, year=year)
    row = IssuedNumber(code=code, year=year, number=number, visit_id=visit_id, device_id=device_id)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        label = dm.format_minutes_number(number, code)
        raise ValidationFailed(
            "Số biên bản {label} năm {year} vừa được dùng cho một cuộc kiểm tra khác.", label=label, year=year) from None
    return row


def parse_number(number: str) -> int | None:
    """The sequence of "12/BB-SNV" (12); None for a blank number."""
    head = (number or "").split("/", 1)[0].strip()
    return int(head) if head.isdigit() else None


# --- the tablet's settings screen ----------------------------------------------------------------


def apply_block_from_settings(ctx: AppContext, year: int, first: int, last: int,
                              code: str | None = None) -> NumberBlock:
    """Record a block typed in this tablet's settings (for this device, the department's code)."""
    with ctx.session() as s:
        return apply_block(s, code or minutes_code(ctx), year, ctx.settings.device_id, first, last,
                           source="settings")


def device_blocks(ctx: AppContext) -> list[tuple[NumberBlock, int]]:
    """This tablet's blocks with how many numbers each code/year still has free."""
    with ctx.session() as s:
        return [(b, remaining(s, b.code, b.year, b.device_id)) for b in list_blocks(s, ctx.settings.device_id)]


__all__ = [
    "MAX_BLOCK", "allocate_number", "apply_block", "apply_block_from_settings", "device_blocks",
    "issue_number", "list_blocks", "minutes_code", "number_taken", "parse_number", "register_number",
    "remaining", "reserve_block",
]
