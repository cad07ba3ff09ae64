"""Tables of the minutes' numbers (Decree 30/2020/NĐ-CP, Phụ lục I, II.3.a: the number is the yearly
sequence registered at the agency's records office, văn thư; two documents never share a number).

- :class:`NumberBlock`: a block of numbers the office reserved for one device, per document code and
  year ("BB-SNV", 2026, numbers 41–60 for tablet X). On a tablet it is typed in the settings or
  carried in its enrolment; at the office it is the reservation itself.
- :class:`IssuedNumber`: the register of numbers given to minutes, unique per (code, year, number),
  on SQLite and PostgreSQL alike (a plain unique constraint), so a number can be held only once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, new_id, utcnow


class NumberBlock(SQLModel, table=True):
    """Numbers ``first``–``last`` (inclusive) of ``code``/``year`` reserved for ``device_id``."""

    __table_args__ = (UniqueConstraint("code", "year", "first"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    code: str = Field(index=True)  # "BB-SNV"
    year: int = Field(index=True)
    device_id: str = Field(index=True)
    first: int
    last: int
    source: str = "settings"  # settings / enrolment / office
    reserved_by: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class IssuedNumber(SQLModel, table=True):
    """One number given to one visit's minutes; the unique constraint is the register's rule."""

    __table_args__ = (UniqueConstraint("code", "year", "number"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    code: str = Field(index=True)
    year: int
    number: int
    visit_id: str = Field(index=True)
    device_id: str = ""
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
