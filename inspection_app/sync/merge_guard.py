"""The merge's guards (issue #10 point 3, issue #12 point 5): what a bundle may not do at the office.

- Audit chains this office has seen are extended, never rewritten (:class:`~inspection_app.store.devices.ChainHead`).
- A visit whose minutes are signed here changes in nothing: every change a bundle would make to it is
  listed for the reviewer as a conflict (who, when, what), and its new events stay out.
- Records another device created under its own id that are the same thing here are matched: a unit
  by its code, a person on a matched unit's roster by name; a reference the merge re-points this way
  is written down as an audit event of this device, so every record still equals its history.

A mixin of :class:`~.merge.Merger`: it uses the merger's plan (``inserts``, ``updates``, ``deletes``,
``new_events``, ``conflicts``) and its session.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from sqlmodel import col as sa_col  # `col` names a column below

from inspection_app.locale import both

from ..store import models as m
from ..store.types import new_id, utcnow
from .records import BOOKKEEPING, dump_value, ordered_tables, pk_column, rejected

if TYPE_CHECKING:
    from .bundle_open import OpenedBundle
    from .merge_types import Conflict, _Event

_IN_CHUNK = 500


def _chunks(values, size: int = _IN_CHUNK):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name or "").casefold().split())


class Guards:
    # The merger's state this mixin reads and writes (set by :class:`~.merge.Merger`).
    s: Session
    b: OpenedBundle
    id_map: dict[str, dict[str, str]]
    inserts: dict[str, list[dict[str, Any]]]
    updates: list[tuple[Any, str, dict[str, Any], str | None]]
    deletes: list[tuple[Any, str, str | None]]
    conflicts: list[Conflict]
    frozen: set[str]
    remaps: list[tuple[str, dict[str, Any], str, Any]]
    corrections: list[dict[str, Any]]
    per_visit: dict[str, Counter[str]]
    inc_events: list[_Event]
    local_events: list[_Event]
    local_ids: dict[str, _Event]
    new_events: list[dict[str, Any]]
    local_by_entity: dict[tuple[str, str], list[_Event]]
    inc_by_entity: dict[tuple[str, str], list[_Event]]

    if TYPE_CHECKING:
        def _fetch(self, table: Any, column: str, values: Iterable[Any]) -> list[dict[str, Any]]: ...

        @staticmethod
        def _visit_of(name: str, row: dict[str, Any]) -> str | None: ...

        def _conflict(self, name: str, row: dict[str, Any], entity_id: str, fld: str, kind: str, kept: str,
                      basis: str, local_value: Any, incoming_value: Any, la: Any = None, ld: str = "",
                      ia: Any = None, idev: str = "", lby: str = "", iby: str = "") -> None: ...

    def _match_same_thing(self, name: str, table, missing: list[dict]) -> dict[str, dict]:
        """Records another device created under its own id that are the same thing here (issue #12):
        a unit a reviewer merged into another, a unit with the same code (``Unit.code``), and on a
        unit so matched, the same person on its roster (same full name, NFC and case-blind)."""
        out: dict[str, dict] = {}
        if name == "unit":
            merged: dict[str, str] = {}
            for part in _chunks([r["id"] for r in missing]):
                merged.update(dict(self.s.execute(select(sa_col(m.MergedUnit.unit_id), sa_col(m.MergedUnit.into_id))
                                                  .where(sa_col(m.MergedUnit.unit_id).in_(part))).tuples().all()))
            if merged:
                here_ids = {c["id"]: c for c in self._fetch(table, "id", set(merged.values()))}
                for r in missing:
                    if merged.get(r["id"]) in here_ids:
                        out[r["id"]] = here_ids[merged[r["id"]]]
            coded = [r for r in missing if (r.get("code") or "").strip() and r["id"] not in out]
            if coded:
                here: dict[Any, dict[str, Any]] = {c["code"].strip(): c for c in self._fetch(table, "code", (r["code"] for r in coded))}
                for r in coded:
                    if r["code"].strip() in here:
                        out[r["id"]] = here[r["code"].strip()]
        elif name == "staffmember":
            mapped_units = set(self.id_map.get("unit", {}).values())
            candidates = [r for r in missing if r.get("unit_id") in mapped_units]
            if candidates:
                here = {}
                for c in self._fetch(table, "unit_id", (r["unit_id"] for r in candidates)):
                    here.setdefault((c["unit_id"], _name_key(c["full_name"])), c)
                for r in candidates:
                    hit = here.get((r["unit_id"], _name_key(r.get("full_name") or "")))
                    if hit is not None:
                        out[r["id"]] = hit
        return out


    # -- trust: chain heads and signed visits ----------------------------------------------------

    def _check_chain_heads(self) -> None:
        """A chain this office has seen further must be extended, never rewritten: the bundle's
        event at the index of the stored head must be that very event."""
        tbl = m.ChainHead.__table__  # type: ignore[attr-defined]
        self.known_heads: dict[tuple[str, str], tuple[int, str]] = {}
        for part in _chunks(self.b.visit_ids):
            for r in self.s.execute(select(tbl.c.visit_id, tbl.c.device_id, tbl.c.chain_index, tbl.c.hash)
                                    .where(tbl.c.visit_id.in_(part))):
                self.known_heads[(r.visit_id, r.device_id)] = (r.chain_index, r.hash)
        by_pos = {(e.visit_id, e.device_id, e.chain_index): e for e in self.inc_events}
        local_pos = {(e.visit_id, e.device_id, e.chain_index): e for e in self.local_events}
        for head in self.b.chain_heads:
            key = (head["visit_id"], head["device_id"])
            known = self.known_heads.get(key)
            if known is None:
                continue
            index, digest = known
            if head["chain_index"] >= index:
                ev = by_pos.get((*key, index))
                ok = ev is not None and ev.hash == digest
            else:  # an older copy of the chain (another tablet's): it must be a prefix of what is here
                here = local_pos.get((*key, head["chain_index"]))
                ok = here is None or here.hash == head["hash"]
            if not ok:
                raise rejected(
                    *both("Nhật ký của lượt kiểm tra {key} từ thiết bị {key2} không nối tiếp nhật ký văn phòng đã nhận trước đây: nhật ký đã bị viết lại.", key=key[0], key2=self._device_text(key[1])),
                    visit_id=key[0], device_id=key[1])

    def _device_text(self, device_id: str) -> str:
        return self.b.device_name if device_id == self.b.device_id and self.b.device_name else device_id

    def _store_chain_heads(self) -> None:
        tbl = m.ChainHead.__table__  # type: ignore[attr-defined]
        now = utcnow()
        for head in self.b.chain_heads:
            key = (head["visit_id"], head["device_id"])
            known = self.known_heads.get(key)
            if known is not None and known[0] >= head["chain_index"]:
                continue
            if known is None:
                self.s.execute(insert(tbl).values(id=new_id(), visit_id=key[0], device_id=key[1],
                                                  chain_index=head["chain_index"], hash=head["hash"], seen_at=now))
            else:
                self.s.execute(update(tbl).where(tbl.c.visit_id == key[0], tbl.c.device_id == key[1])
                               .values(chain_index=head["chain_index"], hash=head["hash"], seen_at=now))

    def _heads_changed(self) -> bool:
        return any(self.known_heads.get((h["visit_id"], h["device_id"]), (-1, ""))[0] < h["chain_index"]
                   for h in self.b.chain_heads)

    def _signed_here(self) -> set[str]:
        tbl = m.MinutesDocument.__table__  # type: ignore[attr-defined]
        out: set[str] = set()
        for part in _chunks(self.b.visit_ids):
            out.update(self.s.execute(select(tbl.c.visit_id).where(tbl.c.visit_id.in_(part),
                                                                   tbl.c.signed.is_(True))).scalars())
        return out

    def _last_incoming(self, name: str, entity_id: str, fld: str | None = None) -> Any:
        evs = [e for e in self.inc_by_entity.get((name, entity_id), ()) if e.event_id not in self.local_ids
               and (fld is None or fld in (e.changes or {}))]
        return max(evs, key=lambda e: e.at) if evs else None

    def _frozen_conflict(self, name: str, row: dict, entity_id: str, fld: str, local_value, incoming_value,
                         ev: Any) -> None:
        self._conflict(name, row, entity_id, fld, "signed_visit", "local", "signed", local_value, incoming_value,
                       None, "", ev.at if ev else None, ev.device_id if ev else "", "", ev.actor if ev else "")

    def _freeze(self) -> None:
        """A visit whose minutes are signed here is not changed by a bundle: every change the merge
        planned for it becomes a conflict for the reviewer (who, when, what), and its new events stay out."""
        if not self.frozen:
            return
        for name, rows in list(self.inserts.items()):
            keep = []
            for row in rows:
                visit = self._visit_of(name, row)
                if visit in self.frozen:
                    self._frozen_conflict(name, row, row[pk_column({t.name: t for t in ordered_tables()}[name])], "", None,
                                          {k: dump_value(v) for k, v in row.items()},
                                          self._last_incoming(name, row.get("id", "")))
                    self.per_visit[visit]["inserted"] -= 1
                else:
                    keep.append(row)
            self.inserts[name] = keep
        updates = []
        for table, key, values, visit in self.updates:
            if visit not in self.frozen:
                updates.append((table, key, values, visit))
                continue
            loc = self._fetch(table, pk_column(table), [key])[0]
            for fld, value in values.items():
                if fld in BOOKKEEPING:
                    continue
                self._frozen_conflict(table.name, loc, key, fld, loc.get(fld), value,
                                      self._last_incoming(table.name, key, fld))
            self.per_visit[visit]["updated"] -= 1
        self.updates = updates
        deletes = []
        for table, key, visit in self.deletes:
            if visit not in self.frozen:
                deletes.append((table, key, visit))
                continue
            loc = self._fetch(table, pk_column(table), [key])[0]
            self._frozen_conflict(table.name, loc, key, "", {k: dump_value(v) for k, v in loc.items()}, None,
                                  self._last_incoming(table.name, key))
            self.per_visit[visit]["deleted"] -= 1
        self.deletes = deletes
        self.conflicts = [c if c.visit_id not in self.frozen or c.kind in ("signed_visit", "signed_minutes")
                          else type(c)(**{**c.__dict__, "kind": "signed_visit", "kept": "local", "basis": "signed"})
                          for c in self.conflicts]
        dropped = [e for e in self.new_events if e["visit_id"] in self.frozen]
        self.new_events = [e for e in self.new_events if e["visit_id"] not in self.frozen]
        for e in dropped:
            self.per_visit[e["visit_id"]]["events"] -= 1

    def _plan_corrections(self) -> None:
        """A reference this merge re-pointed (a unit matched by its code, a roster entry by its
        name) is an audited change: so that every record still equals what its events say, an event
        of this device records it, unless the events already do."""
        pks = {t.name: pk_column(t) for t in ordered_tables()}
        seen: set[tuple[str, str, str]] = set()
        for name, row, col, _old in self.remaps:
            visit = self._visit_of(name, row)
            final_id = self.id_map.get(name, {}).get(row[pks[name]], row[pks[name]])
            key = (name, final_id, col)
            if visit in self.frozen or key in seen:
                continue
            seen.add(key)
            ids = {row[pks[name]], final_id}
            events = [e for i in ids for e in (*self.local_by_entity.get((name, i), ()),
                                                *self.inc_by_entity.get((name, i), ()))
                      if e.action in ("insert", "update") and col in (e.changes or {})]
            last = max(events, key=lambda e: (e.at, e.device_id, e.chain_index)) if events else None
            said = last.changes[col][1] if last is not None else None
            if said == row[col]:
                continue
            self.corrections.append({"visit_id": visit, "entity": name, "entity_id": final_id,
                                     "changes": {col: [said, row[col]]}})
