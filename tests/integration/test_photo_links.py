"""A photo already in the visit linked to a second item or finding (issue #13): one record, one annex
entry naming everything it is evidence of; the close check counts it for each; removing the photo,
the finding or the link keeps the rest right; a locked visit refuses; bundles carry the links."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import select

from inspection_app.domain.errors import Locked, NotFound, ValidationFailed
from inspection_app.services import bundles, checklists, devices, findings, minutes, photos, visits
from inspection_app.store.models import Photo
from inspection_app.store.photo_links import PhotoExtraLink

pytestmark = pytest.mark.both_databases

PLATES, FLAG = ("office_culture", "oc.name_plates"), ("office_culture", "oc.emblem_flag")


def jpeg(color: str = "blue") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def setup(ctx, visit):
    photo = photos.add_photo(ctx, visit.id, jpeg(), "bien.jpg", caption="Cổng trụ sở",
                             checklist_id=PLATES[0], item_id=PLATES[1]).photo
    finding = findings.add_finding(ctx, visit.id, "Không treo Quốc kỳ tại cổng trụ sở", "medium", *FLAG)
    return visit, photo, finding


def test_a_photo_is_linked_to_a_second_item_and_a_finding_once_each(ctx, setup):
    visit, photo, finding = setup
    photos.add_photo_link(ctx, photo.id, checklist_id=FLAG[0], item_id=FLAG[1])
    photos.add_photo_link(ctx, photo.id, finding_id=finding.id)
    with pytest.raises(ValidationFailed, match="đã gắn với nội dung đó"):
        photos.add_photo_link(ctx, photo.id, checklist_id=FLAG[0], item_id=FLAG[1])
    with pytest.raises(ValidationFailed, match="đã gắn với nội dung đó"):
        photos.add_photo_link(ctx, photo.id, checklist_id=PLATES[0], item_id=PLATES[1])  # its first link
    with pytest.raises(ValidationFailed, match="Chọn một mục kiểm tra hoặc một phát hiện") as err:
        photos.add_photo_link(ctx, photo.id)
    assert "Choose a checklist item or a finding" in err.value.en
    with pytest.raises(NotFound):
        photos.add_photo_link(ctx, photo.id, checklist_id="office_culture", item_id="oc.nothing")
    links = photos.all_links(ctx, visit.id)[photo.id]
    assert [(x.item_id, x.finding_id) for x in links] == [(PLATES[1], None), (FLAG[1], None), (None, finding.id)]
    with ctx.session() as s:
        assert len(s.exec(select(Photo)).all()) == 1  # still one record, one set of files
        extra = s.exec(select(PhotoExtraLink)).first()
        assert extra.recorded_by == ctx.actor


def test_the_close_check_counts_a_linked_photo_as_evidence_for_each(ctx, setup):
    visit, photo, _ = setup

    def photo_gap(item):
        return [g for g in checklists.gaps(ctx, visit.id) if (g.checklist_id, g.item_id, g.kind) == (*item, "photo")]

    checklists.record_answer(ctx, visit.id, *FLAG, "fail", note="Không treo Quốc kỳ")
    assert photo_gap(FLAG)  # a failed item that asks for a photo
    link = photos.add_photo_link(ctx, photo.id, checklist_id=FLAG[0], item_id=FLAG[1])
    assert photo_gap(FLAG) == []
    photos.remove_photo_link(ctx, link.id)
    assert photo_gap(FLAG)


def test_the_annex_shows_the_photo_once_naming_each_thing_and_the_body_refers_to_it_at_each(ctx, setup):
    visit, photo, finding = setup
    photos.add_photo_link(ctx, photo.id, finding_id=finding.id)
    content = minutes.build_content(ctx, visit.id)
    [entry] = content.photos
    assert entry.ref == "A1"
    # the item it was taken for, and the item of the finding it was linked to as well
    assert entry.item_ref == ("2.4 Có biển tên cơ quan, biển tên phòng làm việc; "
                              "2.5 Treo Quốc huy, Quốc kỳ đúng quy định (nếu thuộc đối tượng)")
    items = {i.item_id: i for section in content.sections for i in section.items}
    assert items[PLATES[1]].photo_refs == ("A1",) and items[FLAG[1]].photo_refs == ("A1",)


def test_removing_the_finding_or_the_photo_takes_its_links_and_leaves_the_rest(ctx, setup):
    visit, photo, finding = setup
    photos.add_photo_link(ctx, photo.id, finding_id=finding.id)
    photos.add_photo_link(ctx, photo.id, checklist_id=FLAG[0], item_id=FLAG[1])
    findings.delete_finding(ctx, finding.id)
    assert [x.item_id for x in photos.all_links(ctx, visit.id)[photo.id]] == [PLATES[1], FLAG[1]]
    photos.remove_photo(ctx, photo.id)
    assert photos.list_photos(ctx, visit.id) == []
    with ctx.session() as s:
        assert s.exec(select(PhotoExtraLink)).all() == []
    assert photos.verify_photos(ctx, visit.id) == []


def test_a_locked_visit_refuses_a_new_link(ctx, setup):
    visit, photo, finding = setup
    with ctx.session() as s:
        v = s.get(type(visits.get_visit(ctx, visit.id)), visit.id)
        v.status = "closed"
        s.add(v)
    with pytest.raises(Locked):
        photos.add_photo_link(ctx, photo.id, finding_id=finding.id)


def test_a_bundle_carries_the_links(ctx_factory, tmp_path):
    from inspection_app.services import units

    tablet = ctx_factory("tablet-a", backend="sqlite", actor="Lê Văn Cường", device_id="tablet-a")
    office = ctx_factory("office", actor="Phạm Thu Hà", device_id="office-1")
    for a, b in ((tablet, office), (office, tablet)):
        me = devices.own_device(a)
        devices.enrol_device(b, me.public_key, me.device_id, me.fingerprint, me.name)
    unit = units.create_unit(tablet, "UBND xã Tân Thành", kind="UBND xã")
    visit = visits.create_visit(tablet, unit.id, decision_number="12/QĐ-SNV", checklist_ids=["office_culture"],
                                team=[visits.ParticipantIn("Lê Văn Cường", "leader")])
    photo = photos.add_photo(tablet, visit.id, jpeg("red"), "a.jpg", checklist_id=PLATES[0], item_id=PLATES[1]).photo
    link = photos.add_photo_link(tablet, photo.id, checklist_id=FLAG[0], item_id=FLAG[1])
    result = bundles.export_bundle(tablet, tmp_path / "b.iab")
    report = bundles.import_bundle(office, result.path)
    assert report.inserted.get("photoextralink") == 1
    [row] = photos.extra_links(office, visit.id)[photo.id]
    assert (row.id, row.item_id, row.recorded_by) == (link.id, FLAG[1], "Lê Văn Cường")


def test_the_office_record_counts_a_linked_photo_for_the_finding_and_names_every_link(ctx, setup):
    """The office's record of the visit (review.visit_record): the finding a photo was linked to afterwards
    counts that photo, and the photo carries every link, not only its first."""
    from inspection_app.services import review

    visit, photo, finding = setup
    photos.add_photo_link(ctx, photo.id, checklist_id=FLAG[0], item_id=FLAG[1])
    photos.add_photo_link(ctx, photo.id, finding_id=finding.id)
    record = review.visit_record(ctx, visit.id)
    assert [f.photo_ids for f in record.findings] == [[photo.id]]
    (row,) = record.photos
    assert (row.checklist_id, row.item_id, row.finding_id) == (*PLATES, None)
    assert row.also == [(*FLAG, None), (None, None, finding.id)]
