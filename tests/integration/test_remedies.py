from datetime import date

import pytest

from inspection_app.domain.errors import Locked, ValidationFailed
from inspection_app.services import findings, remedies, visits


def test_remedies_are_recorded_with_deadlines(ctx, visit):
    finding = findings.add_finding(ctx, visit.id, "Không đeo thẻ", kind="office_culture")
    r = remedies.add_remedy(ctx, visit.id, "Chấn chỉnh việc đeo thẻ", date(2026, 12, 15), finding_id=finding.id)
    assert r.report_due == date(2026, 12, 15) and r.status == "open"
    remedies.update_remedy(ctx, r.id, report_due=date(2026, 12, 20))
    second = remedies.add_remedy(ctx, visit.id, "Ban hành kế hoạch tự kiểm tra", date(2026, 12, 31))
    assert [x.id for x in remedies.list_remedies(ctx, visit.id)] == [r.id, second.id]
    remedies.delete_remedy(ctx, second.id)
    assert [x.report_due for x in remedies.list_remedies(ctx, visit.id)] == [date(2026, 12, 20)]


@pytest.mark.parametrize("text,deadline,due", [(" ", date(2026, 12, 1), None), ("Khắc phục", None, None),
                                               ("Khắc phục", date(2026, 12, 1), date(2026, 11, 1))])
def test_bad_remedies_are_refused(ctx, visit, text, deadline, due):
    with pytest.raises(ValidationFailed) as exc:
        remedies.add_remedy(ctx, visit.id, text, deadline, due)
    assert exc.value.vi and exc.value.en


def test_a_locked_visit_takes_no_new_remedy(ctx, visit):
    with ctx.session() as s:
        from inspection_app.store.models import Visit
        v = s.get(Visit, visit.id)
        v.status = "closed"
    with pytest.raises(Locked):
        remedies.add_remedy(ctx, visit.id, "Khắc phục", date(2026, 12, 1))
    assert visits.get_visit(ctx, visit.id).locked
