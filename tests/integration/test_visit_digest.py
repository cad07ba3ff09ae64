"""Issue #10 point 3: the digest of a visit's content, kept when its minutes are signed."""

from __future__ import annotations

from sqlalchemy import select, update
from test_minutes_service import PASS, complete_visit, team_keys  # noqa: F401  (fixtures)

from inspection_app.services import bundles, devices, minutes, visit_digest
from inspection_app.store import models as m


def test_signing_keeps_a_digest_that_travels_and_is_checked(ctx, complete_visit, team_keys, ctx_factory,  # noqa: F811
                                                            tmp_path):
    assert visit_digest.check(ctx, complete_visit.id).state == "none"
    minutes.sign_minutes(ctx, complete_visit.id, PASS)
    seal = visit_digest.check(ctx, complete_visit.id)
    assert seal.state == "match" and seal.version == 1 and seal.sealed_at
    # no block of numbers here: the number is left for the văn thư (issue #11), the seal records it as it is
    assert seal.minutes_number == minutes.latest_version(ctx, complete_visit.id).number
    minutes.countersign_minutes(ctx, complete_visit.id, PASS)  # the office files it: still what was signed
    assert visit_digest.check(ctx, complete_visit.id).state == "match"

    office = ctx_factory("office-d", device_id="office-d")
    me = devices.own_device(ctx)
    devices.enrol_device(office, me.public_key, me.device_id, me.fingerprint, "Máy tính bảng 1")
    bundles.import_bundle(office, bundles.export_bundle(ctx, tmp_path / "b.iab").path)
    assert visit_digest.check(office, complete_visit.id).state == "match"

    with office.session(raw=True) as s:  # a record changed behind the app's back
        s.execute(update(m.Finding).where(m.Finding.visit_id == complete_visit.id)
                  .values(description="Không có vi phạm"))
    assert visit_digest.check(office, complete_visit.id).state == "changed"
    with ctx.session() as s:
        assert len(s.execute(select(m.VisitSeal)).scalars().all()) == 1
