"""Devices and their keys (issue #10, point 2): this device's signing key, and the devices whose
bundles this office accepts.

Every device makes an Ed25519 key pair the first time it starts or exports (``sync.device_key``);
its bundles are signed with it. The office enrols a device once: a reviewer reads the short
fingerprint the tablet shows (in its Export bundle dialog), checks it against the one the office
screen shows for the refused bundle, and types it in; only a match enrols. A bundle from a device
that is not enrolled, or whose key was revoked, imports nothing and says how to enrol.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from inspection_app.domain.errors import Phrase

from ..domain.errors import NotFound, UserError, ValidationFailed
from ..store import models as m
from ..store.types import utcnow
from ..sync import bundle as sync_bundle
from ..sync import device_key
from ..sync.records import BundleRejected
from .context import AppContext


class DeviceNotEnrolled(BundleRejected):
    """A bundle signed by a device this office has not enrolled; ``details`` carry its key."""


@dataclass(frozen=True)
class DeviceRow:
    id: str
    device_id: str
    name: str
    fingerprint: str
    enrolled_by: str
    enrolled_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class OwnDevice:
    device_id: str
    name: str
    fingerprint: str
    public_key: str  # base64 of the raw Ed25519 public key


def own_device(ctx: AppContext) -> OwnDevice:
    """This device's id, name and key fingerprint (the key is made on first call)."""
    public = device_key.public_b64(device_key.load_or_create(ctx.data_dir))
    return OwnDevice(ctx.settings.device_id, device_name(ctx), device_key.fingerprint(public), public)


def device_name(ctx: AppContext) -> str:
    """What this device calls itself in its bundles: who uses it, and the machine's name."""
    who = (ctx.settings.inspector_name or "").strip()
    host = socket.gethostname()
    return f"{who} ({host})" if who else host


def authorise(ctx: AppContext) -> Callable[[dict[str, Any]], str]:
    """The bundle module's judge of a signing device: the name it was enrolled under, or a refusal
    that says how to enrol it (on screen: nothing to type at a command line)."""
    def judge(device: dict[str, Any]) -> str:
        with ctx.session() as s:
            row = s.execute(select(m.EnrolledDevice).where(
                m.EnrolledDevice.public_key == device["public_key"])).scalars().first()
            if row is not None and row.revoked_at is None:
                return str(row.name)
            revoked = row is not None
        fp = device["fingerprint"]
        if revoked:
            raise DeviceNotEnrolled(
                "Khóa của thiết bị gửi gói này (mã nhận dạng {fp}) đã bị thu hồi ở văn phòng. Chưa có dữ liệu nào được ghi.", fp=fp, revoked=True, **device)
        raise DeviceNotEnrolled(
            "Thiết bị gửi gói này chưa được ghi danh ở văn phòng (mã nhận dạng {fp}). Để ghi danh: trên máy tính bảng, vào Tổng hợp › Lượt kiểm tra › Xuất gói dữ liệu: hộp thoại ghi mã nhận dạng của máy; nếu trùng với mã trên, nhập mã đó vào ô «Mã trên máy tính bảng» bên dưới rồi bấm «Ghi danh thiết bị», sau đó nhập lại gói. Chưa có dữ liệu nào được ghi.", fp=fp, **device)
    return judge


def enrol_device(ctx: AppContext, public_key: str, device_id: str, typed_fingerprint: str,
                 name: str = "") -> DeviceRow:
    """Enrol a device by its public key once the fingerprint the tablet shows was typed in."""
    expected = device_key.fingerprint(public_key)
    if device_key.normalise_fingerprint(typed_fingerprint) != expected:
        raise ValidationFailed(
            "Mã nhận dạng đã nhập ({value}) không khớp với khóa của gói ({expected}): có thể gói không đến từ máy tính bảng này. Thiết bị chưa được ghi danh.", value=Phrase(typed_fingerprint.strip() or 'trống', typed_fingerprint.strip() or 'empty'), expected=expected)
    with ctx.session() as s:
        row = s.execute(select(m.EnrolledDevice).where(col(m.EnrolledDevice.public_key) == public_key)).scalars().first()
        if row is None:
            row = m.EnrolledDevice(device_id=device_id, public_key=public_key, fingerprint=expected)
        row.name = (name or "").strip() or row.name or f"Thiết bị {expected[:4]}"
        row.enrolled_by, row.enrolled_at, row.revoked_at = ctx.actor, utcnow(), None
        s.add(row)
        s.flush()
        return _row(row)


def device_of_bundle(ctx: AppContext, path: str | Path, passphrase: str | None = None) -> dict[str, Any]:
    """The signing device of a bundle (signature checked, nothing else), for enrolment:
    {"id", "name", "public_key", "fingerprint"}."""
    seen: dict[str, Any] = {}

    class _Stop(Exception):
        pass

    def capture(device: dict[str, Any]) -> str:
        seen.update(device)
        raise _Stop

    try:
        sync_bundle.open_bundle(Path(path), passphrase, work_root=ctx.data_dir, authorise=capture).close()
    except _Stop:
        pass
    if not seen:
        raise UserError("Không đọc được thiết bị của gói.")
    return seen


def enrol_from_bundle(ctx: AppContext, path: str | Path, typed_fingerprint: str, name: str = "",
                      passphrase: str | None = None) -> DeviceRow:
    device = device_of_bundle(ctx, path, passphrase)
    return enrol_device(ctx, device["public_key"], device["id"], typed_fingerprint, name or device.get("name", ""))


def list_devices(ctx: AppContext) -> list[DeviceRow]:
    with ctx.session() as s:
        rows = s.execute(select(m.EnrolledDevice).order_by(col(m.EnrolledDevice.enrolled_at))).scalars()
        return [_row(r) for r in rows]


def revoke_device(ctx: AppContext, row_id: str) -> DeviceRow:
    with ctx.session() as s:
        row = s.get(m.EnrolledDevice, row_id)
        if row is None:
            raise NotFound("Không tìm thấy thiết bị.")
        row.revoked_at = utcnow()
        s.add(row)
        s.flush()
        return _row(row)


def device_names(ctx: AppContext) -> dict[str, str]:
    """Device id -> the name the office enrolled it under (this device: its own name)."""
    with ctx.session() as s:
        out = {r.device_id: r.name for r in s.execute(select(m.EnrolledDevice)).scalars() if r.name}
    out.setdefault(ctx.settings.device_id, "văn phòng (máy này)" if ctx.lang == "vi" else "office (this machine)")
    return out


def _row(r: m.EnrolledDevice) -> DeviceRow:
    return DeviceRow(r.id, r.device_id, r.name, r.fingerprint, r.enrolled_by, r.enrolled_at, r.revoked_at)


__all__ = ["DeviceNotEnrolled", "DeviceRow", "OwnDevice", "own_device", "authorise", "enrol_device",
           "enrol_from_bundle", "device_of_bundle", "list_devices", "revoke_device", "device_names"]
