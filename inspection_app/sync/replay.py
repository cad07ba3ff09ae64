"""Records must be what their audit events say (issue #10, point 1).

Every change of a visit's record is an audit event (``store.audit``), chained per device. A bundle
carries both the records and the events; this module refuses a bundle whose records say something
their own history does not: a record with no history at all, or a field whose value no device's
latest change of it wrote.

Each device's chain is in the order its changes were made, so per device the last change of a field
is known for certain. Across devices the order is the merge's business (``sync.merge``: the change
the other side did not know of wins, or the later one when both changed it), which clock skew
between tablets makes unknowable from times alone; so a field must hold the value of one of the
devices' latest changes of it. Records that two devices created under different ids (the same
checklist item of a visit, the same person on the roll call) are one record, found through their
natural keys in the insert events.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from typing import Any

from inspection_app.locale import both

from ..store import models as m
from ..store.audit import _plain
from .records import BOOKKEEPING, PATH_COLUMNS, natural_keys, ordered_tables, rejected

AUDITED = {"visit", *(mdl.__tablename__ for mdl in m.VISIT_OWNED)}


def _canon(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value)
        try:  # a time stored with or without microseconds is the same time
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None and "T" in value:
                return "t:" + _plain(moment)
        except ValueError:
            pass
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return "n:" + repr(float(value))
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class _Groups:
    """Union-find over (table, id): ids that name one record."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(self, key: tuple[str, str]) -> tuple[str, str]:
        root = key
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        self.parent[key] = root
        return root

    def union(self, a: tuple[str, str], b: tuple[str, str]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def replay_state(records: dict[str, list[dict]], events: list[dict]) -> dict[tuple[str, str], dict[str, list]]:
    """(table, id) of each audited record -> {field: the values of each device's latest change of
    it}; records without any event are absent."""
    keys = {t.name: natural_keys(t) for t in ordered_tables() if t.name in AUDITED}
    groups = _Groups()
    by_key: dict[tuple, tuple[str, str]] = {}
    for ev in events:
        if ev["entity"] not in AUDITED or ev["action"] != "insert":
            continue
        for key in keys.get(ev["entity"], ()):
            values = tuple((ev["changes"].get(c) or [None, None])[1] for c in key)
            if None in values:
                continue
            probe = (ev["entity"], key, json.dumps(values, default=str))
            if probe in by_key:
                groups.union(by_key[probe], (ev["entity"], ev["entity_id"]))
            else:
                by_key[probe] = (ev["entity"], ev["entity_id"])
    for table, rows in records.items():  # a record's own natural key joins it to its aliases
        for key in keys.get(table, ()):
            for row in rows:
                values = tuple(_plain(row.get(c)) for c in key)
                probe = (table, key, json.dumps(values, default=str))
                if None not in values and probe in by_key:
                    groups.union(by_key[probe], (table, row["id"]))
    # (record root, field) -> device -> (chain index, value written)
    latest: dict[tuple[str, str], dict[str, dict[str, tuple[int, Any]]]] = {}
    for ev in events:
        if ev["entity"] not in AUDITED or ev["action"] not in ("insert", "update"):
            continue
        root = groups.find((ev["entity"], ev["entity_id"]))
        fields = latest.setdefault(root, {})
        for name, change in (ev["changes"] or {}).items():
            if isinstance(change, list) and len(change) == 2:
                per_device = fields.setdefault(name, {})
                known = per_device.get(ev["device_id"])
                if known is None or known[0] < ev["chain_index"]:
                    per_device[ev["device_id"]] = (ev["chain_index"], change[1])
    out: dict[tuple[str, str], dict[str, list[Any]]] = {}
    for table, rows in records.items():
        if table not in AUDITED:
            continue
        for row in rows:
            root = groups.find((table, row["id"]))
            if root in latest:
                out[(table, row["id"])] = {f: [v for _i, v in per.values()] for f, per in latest[root].items()}
    return out


def check_records_match_events(records: dict[str, list[dict]], events: list[dict]) -> None:
    """Raise :class:`~.records.BundleRejected` unless every audited record equals its replayed state."""
    state = replay_state(records, events)
    for table, rows in records.items():
        if table not in AUDITED:
            continue
        skip = BOOKKEEPING | {"id"} | set(PATH_COLUMNS.get(table, ()))
        for row in rows:
            fields = state.get((table, row["id"]))
            if fields is None:
                raise rejected(
                    *both("Bản ghi {table} {row} không có lịch sử thay đổi trong nhật ký của gói.", table=table, row=row['id']),
                    entity=table, entity_id=row["id"])
            for name, values in fields.items():
                if name in skip or name not in row:
                    continue
                if _canon(row[name]) not in {_canon(v) for v in values}:
                    raise rejected(
                        *both("Bản ghi {table} {row} không khớp với nhật ký thay đổi của chính nó (trường {name}): bản ghi đã bị sửa ngoài ứng dụng.", table=table, row=row['id'], name=name), entity=table, entity_id=row["id"], field=name)
