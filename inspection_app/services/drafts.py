"""Drafts of typed text, kept in the database as they are typed (issue 13, "nothing typed is lost").

A form keeps its fields here on every pause in typing, so what was typed survives leaving the
screen, a reload of the page and a restart of the server. The form reads its draft back when it is
shown, and discards it when its record is saved or when the person cancels explicitly.

Scopes and keys are the form's address (see :mod:`inspection_app.store.drafts`); helpers below
build the common ones. Fields are ``{name: text}``; only strings, numbers, booleans, None and
lists of strings are kept.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from ..domain.errors import UserError
from ..store.drafts import Draft
from ..store.types import utcnow
from .context import AppContext

MAX_FIELD = 20_000  # characters in one field: far above any form's real text


def visit_scope(visit_id: str) -> str:
    return f"visit:{visit_id}"


NEW_SETUP = "setup:new"  # the set-up of a visit not created yet


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, str):
            if len(value) > MAX_FIELD:
                raise UserError("Nội dung quá dài (tối đa {MAX_FIELD} ký tự).", MAX_FIELD=MAX_FIELD)
            out[str(name)] = value
        elif value is None or isinstance(value, (bool, int, float)):
            out[str(name)] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            out[str(name)] = list(value)
        elif isinstance(value, (list, tuple)) and all(isinstance(v, dict) for v in value):
            out[str(name)] = [_clean(v) for v in value]
        else:
            raise TypeError(f"draft field {name!r}: {type(value).__name__} is not kept in a draft")
    return out


def save_draft(ctx: AppContext, scope: str, key: str, fields: dict[str, Any]) -> None:
    """Keep the form's fields as typed (replaces the previous draft of the same form).

    A draft whose fields are all empty is removed: there is nothing to restore.
    Raises :class:`UserError` for a field longer than :data:`MAX_FIELD` characters.
    """
    clean = _clean(fields)
    with ctx.session() as s:
        row = s.get(Draft, (scope, key))
        if not any(v not in (None, "", [], False) for v in clean.values()):
            if row is not None:
                s.delete(row)
            return
        if row is None:
            row = Draft(scope=scope, key=key)
        row.fields = clean
        row.updated_at = utcnow()
        row.updated_by = ctx.actor
        s.add(row)


def get_draft(ctx: AppContext, scope: str, key: str) -> dict[str, Any] | None:
    """The form's fields as last typed, or None when it has no draft."""
    with ctx.session() as s:
        row = s.get(Draft, (scope, key))
        return dict(row.fields) if row is not None else None


def drafts_in(ctx: AppContext, scope: str, prefix: str = "") -> dict[str, dict[str, Any]]:
    """Every draft of a scope whose key starts with ``prefix``: {key: fields}."""
    with ctx.session() as s:
        rows = s.exec(select(Draft).where(Draft.scope == scope)).all()
        return {r.key: dict(r.fields) for r in rows if r.key.startswith(prefix)}


def discard_draft(ctx: AppContext, scope: str, key: str) -> bool:
    """Forget a form's draft (after its record was saved, or on an explicit cancel); True if one went."""
    with ctx.session() as s:
        row = s.get(Draft, (scope, key))
        if row is None:
            return False
        s.delete(row)
        return True


def move_drafts(ctx: AppContext, old_scope: str, new_scope: str) -> int:
    """Give a scope's drafts to another scope (the new visit's set-up once it is created)."""
    with ctx.session() as s:
        rows = s.exec(select(Draft).where(Draft.scope == old_scope)).all()
        for r in rows:
            s.add(Draft(scope=new_scope, key=r.key, fields=dict(r.fields), updated_at=r.updated_at,
                        updated_by=r.updated_by))
            s.delete(r)
        return len(rows)
