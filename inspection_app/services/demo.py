"""A realistic demo department so a new user has something to look at.

Two units of a commune (its People's Committee and its health station) with rosters; a finished
visit at the People's Committee (every item answered, failed items with notes, a roll call with late
and absent staff, findings, remedies, signatures and a refusal), closed so its minutes can be
exported at once; and a visit in progress at the health station.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select

from ..domain.checklist import AnswerType
from ..domain.localtime import LOCAL_TZ
from ..domain.sampling import SampleSize
from ..store.models import Remedy, Unit, Visit
from . import (
    checklists,
    findings,
    minutes_signatures,
    numbering,
    photos,
    roll_call,
    sampling,
    units,
    visit_close,
    visits,
)
from .context import AppContext

DEMO_UNIT = "UBND xã Hòa Hội"
HEALTH_STATION = "Trạm Y tế xã Hòa Hội"

UBND_ROSTER = [
    ("Nguyễn Văn Hùng", "Chủ tịch UBND xã", "Lãnh đạo", "Công chức"),
    ("Trần Thị Mai", "Phó Chủ tịch UBND xã", "Lãnh đạo", "Công chức"),
    ("Lê Hoàng Phúc", "Phó Chủ tịch UBND xã", "Lãnh đạo", "Công chức"),
    ("Phạm Thị Thu Hà", "Chánh Văn phòng", "Văn phòng HĐND và UBND", "Công chức"),
    ("Võ Minh Tuấn", "Chuyên viên", "Văn phòng HĐND và UBND", "Công chức"),
    ("Đặng Ngọc Ánh", "Chuyên viên", "Văn phòng HĐND và UBND", "Công chức"),
    ("Huỳnh Thị Kim Ngân", "Trưởng phòng", "Phòng Kinh tế", "Công chức"),
    ("Bùi Quốc Việt", "Chuyên viên", "Phòng Kinh tế", "Công chức"),
    ("Ngô Thị Lan", "Trưởng phòng", "Phòng Văn hóa - Xã hội", "Công chức"),
    ("Dương Văn Lợi", "Chuyên viên", "Phòng Văn hóa - Xã hội", "Công chức"),
    ("Trịnh Thị Hồng Nhung", "Giám đốc", "Trung tâm Phục vụ hành chính công", "Viên chức"),
    ("Lý Thanh Sơn", "Chuyên viên một cửa", "Trung tâm Phục vụ hành chính công", "Viên chức"),
    ("Phan Thị Yến", "Chuyên viên một cửa", "Trung tâm Phục vụ hành chính công", "Viên chức"),
    ("Tạ Văn Đức", "Nhân viên", "Văn phòng HĐND và UBND", "Hợp đồng"),
]
STATION_ROSTER = [
    ("Bác sĩ Châu Thị Ngọc", "Trạm trưởng", "Trạm Y tế", "Viên chức"),
    ("Nguyễn Hữu Lộc", "Y sĩ", "Trạm Y tế", "Viên chức"),
    ("Mai Thị Thúy", "Điều dưỡng", "Trạm Y tế", "Viên chức"),
    ("Hồ Văn Thắng", "Dược sĩ", "Trạm Y tế", "Viên chức"),
    ("Lâm Thị Diễm", "Hộ sinh", "Trạm Y tế", "Viên chức"),
    ("Kiều Văn Bảo", "Bảo vệ", "Trạm Y tế", "Hợp đồng"),
]
# Posts as they are since 1 July 2025: Luật Thanh tra 84/2025/QH15 abolished department inspectorates,
# so there is no "Chánh Thanh tra Sở" any more.
TEAM = [
    ("Nguyễn Thị Ánh Tuyết", "leader", "Phó Giám đốc Sở Nội vụ"),
    ("Trần Quang Minh", "deputy", "Trưởng phòng Công chức, viên chức, Sở Nội vụ"),
    ("Lê Thị Bích Ngọc", "member", "Chuyên viên Phòng Công chức, viên chức"),
    ("Phạm Đức Anh", "secretary", "Chuyên viên Văn phòng Sở"),
]

# Answers that deviate from "pass" in the finished visit, with their notes.
FAILED = {
    ("working_hours", "wh.on_time"): "02 công chức đến muộn sau 07 giờ 30 phút (xem phụ lục điểm danh).",
    ("working_hours", "wh.absence_justified"): "01 công chức vắng không có giấy tờ hợp lệ.",
    ("alcohol_tobacco", "at.no_smoking_indoors"): "Phát hiện 01 người hút thuốc trong phòng làm việc tầng 2.",
    ("alcohol_tobacco", "at.no_ashtrays"): "Có gạt tàn và đầu mẩu thuốc lá tại phòng tiếp dân.",
    ("office_culture", "oc.card_worn"): "03 người không đeo thẻ công chức khi làm việc.",
    ("leadership_duties", "ld.self_inspection"): "Chưa ban hành kế hoạch tự kiểm tra công vụ năm 2026.",
    ("alcohol_tobacco", "at.smoking_violators"): "Ông Tạ Văn Đức, nhân viên hợp đồng.",
}
COUNTS = {"at.alcohol_violators": "0", "at.smoking_violators": "1", "ld.overdue_tasks": "0"}

# The demo's days and times are fixed, so its minutes read the same whenever it is loaded: the visit
# on Tuesday 17 November 2026 (winter hours, work from 07:30), the team on site at 07:35.
DEMO_DAY = date(2026, 11, 17)
ONGOING_DAY = date(2026, 11, 19)
LOCAL = LOCAL_TZ  # domain/localtime.py


def _at(day: date, hour: int, minute: int) -> datetime:
    """A local (UTC+7) time on ``day``, as the aware UTC moment the store keeps."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL).astimezone(UTC)


DEMO_DEPARTMENT = {"province": "Tây Ninh", "province_kind": "tỉnh", "drafting_unit": "ĐKTCV"}


def is_empty(ctx: AppContext) -> bool:
    with ctx.session() as s:
        return s.exec(select(Unit.id).limit(1)).first() is None


def signature_strokes(seed: int, width: float = 600, height: float = 240) -> list[list[list[float]]]:
    """A plausible hand signature: a looping stroke and an underline, in pad coordinates."""
    pts = []
    for i in range(60):
        t = i / 59
        x = 60 + t * 380
        y = height / 2 + math.sin(t * math.pi * (3 + seed % 3)) * 45 * (1 - t / 2) + math.cos(t * 17 + seed) * 8
        pts.append([round(x, 1), round(y, 1)])
    underline = [[round(80 + i * 40, 1), round(height * 0.78 + (i % 2) * 3, 1)] for i in range(10)]
    return [pts, underline]


def demo_photo(title: str, seed: int, taken: datetime) -> bytes:
    """A camera-like JPEG (a room with a table and an object) with EXIF, for the demo's evidence."""
    import io
    import random as _random  # demo artwork only; sampling never uses `random`

    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    from ..resources import resource_dir

    rng = _random.Random(seed)
    w, h = 1600, 1200
    img = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(img)
    wall = (rng.randint(170, 215), rng.randint(170, 205), rng.randint(140, 180))
    for y in range(h):  # wall, then floor, lit from the left
        shade = 1 - 0.25 * y / h
        base = wall if y < h * 0.62 else (120, 96, 72)
        draw.line([(0, y), (w, y)], fill=tuple(int(c * shade) for c in base))
    draw.rectangle([w * 0.08, h * 0.12, w * 0.36, h * 0.48], fill=(235, 238, 240), outline=(90, 90, 90), width=6)
    draw.rectangle([w * 0.3, h * 0.58, w * 0.82, h * 0.66], fill=(92, 60, 38))  # table top
    for x in (0.33, 0.78):
        draw.rectangle([w * x, h * 0.66, w * x + 30, h * 0.95], fill=(70, 45, 28))
    cx, cy = w * 0.56, h * 0.56
    draw.ellipse([cx - 110, cy - 40, cx + 110, cy + 40], fill=(60, 60, 66), outline=(30, 30, 30), width=5)
    for i in range(6):  # butts in the ashtray
        x = cx - 70 + i * 26
        draw.line([(x, cy - 8), (x + 30, cy - 18 + (i % 2) * 10)], fill=(230, 220, 200), width=9)
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    draw = ImageDraw.Draw(img)
    font_path = resource_dir("assets/fonts") / "LiberationSerif-Bold.ttf"
    font = ImageFont.truetype(str(font_path), 54)
    draw.rectangle([0, h - 110, w, h], fill=(20, 20, 20))
    draw.text((40, h - 90), title, font=font, fill=(255, 255, 255))
    exif = Image.Exif()
    exif[0x010F] = "Samsung"
    exif[0x0110] = "Galaxy Tab S9"
    exif[0x0112] = 1
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = taken.astimezone(LOCAL_TZ).strftime("%Y:%m:%d %H:%M:%S")
    ifd[0x9011] = "+07:00"
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88, exif=exif)
    return buf.getvalue()


DOMAINS = [("Hộ tịch", "1.001193", "Đăng ký khai sinh"), ("Chứng thực", "2.000815", "Chứng thực bản sao từ bản chính"),
           ("Đất đai", "1.004227", "Đăng ký biến động quyền sử dụng đất"),
           ("Bảo trợ xã hội", "1.001776", "Trợ cấp xã hội hằng tháng")]


def demo_register_csv(today: date, rows: int = 160) -> str:
    """A dossier register as a one-stop system exports it (with columns the app does not keep)."""
    out = ["TT,Mã hồ sơ,Tên TTHC,Mã TTHC,Lĩnh vực,Chủ hồ sơ,Số điện thoại,Kênh thực hiện,Ngày tiếp nhận,"
           "Ngày hẹn trả,Ngày trả,Trạng thái"]
    channels = ["Trực tiếp", "Trực tuyến", "Bưu chính công ích"]
    for n in range(rows):
        domain, code, name = DOMAINS[(n * 7) % len(DOMAINS)]
        received = today - timedelta(days=70 - n // 3)
        if received.weekday() >= 5:
            received -= timedelta(days=received.weekday() - 4)
        due = received + timedelta(days=3 + (n % 3) * 2)
        if due.weekday() >= 5:
            due += timedelta(days=7 - due.weekday())
        returned = due + timedelta(days=(2 if n % 11 == 0 else -1 if n % 3 == 0 else 0))
        out.append(f"{n + 1},000.00.31.H56-{received:%y%m%d}-{n + 1:04d},{name},{code},{domain},Công dân {n + 1},"
                   f"09{n:08d},{channels[n % 3]},{received:%d/%m/%Y} 08:{10 + n % 40:02d},{due:%d/%m/%Y} 16:00,"
                   f"{returned:%d/%m/%Y} 15:30,Đã trả kết quả")
    return "\n".join(out) + "\n"


def _answer_everything(ctx: AppContext, visit_id: str) -> None:
    for checklist in checklists.visit_checklists(ctx, visit_id):
        if checklist.scope != "visit":
            continue
        for item in checklist.items:
            key = (checklist.id, item.id)
            note = FAILED.get(key)
            if item.answer is AnswerType.PASS_FAIL:
                value = "fail" if note else "pass"
            elif item.answer is AnswerType.COUNT:
                value = COUNTS.get(item.id, "0")
            elif item.answer is AnswerType.TIME:
                value = "07:40"
            elif item.answer is AnswerType.CHOICE:
                value = item.choices[0].value
            else:
                value = "Đa số văn bản tham mưu đạt yêu cầu; 02 văn bản phải chỉnh sửa."
            checklists.record_answer(ctx, visit_id, checklist.id, item.id, value, note=note)


def load_demo(ctx: AppContext, today: date | None = None) -> list[str]:
    """Load the demo department; does nothing if it is already there.

    Meant for the demo's own data directory: it fills in the department's identity (Tây Ninh) when
    none is set. ``today`` is accepted for compatibility and ignored: the demo's dates are fixed.
    """
    with ctx.session() as s:
        if s.exec(select(Unit).where(Unit.name == DEMO_UNIT)).first():
            return ["đã có sẵn / already loaded"]
    dept = ctx.settings.department
    if dept.missing():
        for name, value in DEMO_DEPARTMENT.items():
            setattr(dept, name, value)
        ctx.config.save()
    day = DEMO_DAY
    ubnd = units.create_unit(ctx, DEMO_UNIT, kind="UBND xã", parent_agency="UBND tỉnh Tây Ninh",
                             address="Ấp Bình Hòa, xã Hòa Hội, tỉnh Tây Ninh", head_name="Nguyễn Văn Hùng")
    station = units.create_unit(ctx, HEALTH_STATION, kind="Đơn vị sự nghiệp công lập",
                                parent_agency="UBND xã Hòa Hội", address="Ấp Hội Thành, xã Hòa Hội, tỉnh Tây Ninh",
                                head_name="Châu Thị Ngọc")
    staff = {}
    for unit, roster in ((ubnd, UBND_ROSTER), (station, STATION_ROSTER)):
        for name, position, department, kind in roster:
            staff[name] = units.add_staff(ctx, unit.id, name, position, department, kind)

    team = [visits.ParticipantIn(n, r, p) for n, r, p in TEAM]
    finished = visits.create_visit(
        ctx, ubnd.id, kind="unannounced", decision_number="125/QĐ-SNV", decision_date=date(2026, 11, 9),
        plan_reference="Kế hoạch số 18/KH-SNV ngày 15/01/2026 của Sở Nội vụ về kiểm tra công vụ năm 2026",
        arrival_at=_at(day, 7, 35), team=team,
        unit_reps=[visits.ParticipantIn("Nguyễn Văn Hùng", "Chủ tịch UBND xã"),
                   visits.ParticipantIn("Phạm Thị Thu Hà", "Chánh Văn phòng")],
        place="Trụ sở UBND xã Hòa Hội")
    _answer_everything(ctx, finished.id)
    roll = {"Võ Minh Tuấn": ("late", "07:52", "", ""), "Bùi Quốc Việt": ("late", "08:05", "", ""),
            "Dương Văn Lợi": ("absent_unexcused", None, "", ""),
            "Lê Hoàng Phúc": ("absent_excused", None, "Đi công tác", "Giấy đi công tác số 45/GĐĐ-UBND"),
            "Ngô Thị Lan": ("absent_excused", None, "Nghỉ phép", "Đơn nghỉ phép được duyệt")}
    for name, *_ in UBND_ROSTER:
        status, arrival, reason, evidence = roll.get(name, ("present", None, "", ""))
        roll_call.set_attendance(ctx, finished.id, staff[name].id, status, arrival, reason, evidence)
    # As the register screen does: read in memory, keep only the frame (the file has personal columns).
    preview = sampling.preview_register_bytes(demo_register_csv(day).encode("utf-8-sig"),
                                              "so-theo-doi-ho-so-xa-hoa-hoi.csv")
    register = sampling.import_register(ctx, finished.id, preview=preview)
    sample_id, _ = sampling.draw_new_sample(ctx, register.id, SampleSize.fixed(2))
    for n, dossier in enumerate(sampling.sampled_dossiers(ctx, sample_id)):
        for item in sampling.dossier_checklist(ctx).items:
            if item.answer is AnswerType.PASS_FAIL:
                value = "fail" if (item.id == "td.apology_letter" and dossier.timeliness.status.value == "late") else "pass"
            elif item.answer is AnswerType.COUNT:
                value = "1" if n == 1 else "0"
            else:
                value = dossier.timeliness.status.value if item.id == "td.timeliness" else item.choices[0].value
            note = ("Không có Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (Mẫu 04)."
                    if value == "fail" else None)
            sampling.record_dossier_check(ctx, dossier.check_id, item.id, value, note=note)
            if value == "fail":  # the item asks for a photo of the evidence too
                taken = _at(day, 10, 5 + n)
                photos.add_photo(ctx, finished.id, demo_photo(f"Hồ sơ {dossier.code}", 10 + n, taken),
                                 f"HS_{n}.jpg", caption=f"Hồ sơ {dossier.code}: không có Văn bản xin lỗi (Mẫu 04)",
                                 dossier_check_id=dossier.check_id, now=taken)
    smoked_at = _at(day, 9, 15)
    smoking = findings.add_finding(
        ctx, finished.id, "Ông Tạ Văn Đức hút thuốc lá trong phòng làm việc tầng 2 lúc 09 giờ 15; đã yêu cầu viết bản tường trình.",
        "high", "alcohol_tobacco", "at.no_smoking_indoors", staff["Tạ Văn Đức"].id, kind="tobacco",
        explanation_requested=True, place="Phòng làm việc tầng 2", occurred_at=smoked_at)
    photos.add_photo(ctx, finished.id, demo_photo("Hút thuốc lá trong phòng làm việc tầng 2", 1, smoked_at),
                     "IMG_2041.jpg", caption="Đầu mẩu thuốc lá trên bàn làm việc tầng 2, lúc 09 giờ 15", finding_id=smoking.id,
                     now=smoked_at)
    ashtray_at = _at(day, 9, 40)
    photos.add_photo(ctx, finished.id, demo_photo("Gạt tàn tại phòng tiếp dân", 2, ashtray_at),
                     "IMG_2043.jpg", caption="Gạt tàn và đầu mẩu thuốc lá tại phòng tiếp dân",
                     checklist_id="alcohol_tobacco", item_id="at.no_ashtrays", now=ashtray_at)
    cards = findings.add_finding(ctx, finished.id, "03 công chức không đeo thẻ khi tiếp công dân tại bộ phận một cửa.",
                                 "medium", "office_culture", "oc.card_worn", kind="office_culture",
                                 occurred_at=_at(day, 8, 20))
    absent = findings.add_finding(ctx, finished.id, "Ông Dương Văn Lợi vắng mặt không có lý do.", "high",
                                  "working_hours", "wh.absence_justified", staff_id=staff["Dương Văn Lợi"].id,
                                  kind="absent_unexcused", occurred_at=_at(day, 7, 45))
    visits.update_visit(
        ctx, finished.id,
        assessment=("UBND xã Hòa Hội cơ bản chấp hành quy định về thời gian làm việc và văn hóa công sở. "
                    "Còn một số tồn tại: công chức đi muộn, vắng không lý do, hút thuốc lá trong phòng làm việc, "
                    "không đeo thẻ; chưa xây dựng kế hoạch tự kiểm tra công vụ."),
        # The head of the unit refused to sign (below): the unit's opinion says why, never "thống nhất".
        unit_opinion=("Đơn vị chưa thống nhất với số liệu điểm danh: ông Dương Văn Lợi đã báo nghỉ ốm qua điện thoại "
                      "với Chánh Văn phòng, đơn xin nghỉ sẽ được bổ sung. Các nội dung còn lại đơn vị tiếp thu và "
                      "khắc phục."),
        ended_at=_at(day, 10, 45))
    with ctx.session() as s:
        s.add(Remedy(visit_id=finished.id, finding_id=smoking.id, text="Chấn chỉnh việc hút thuốc lá tại công sở, gỡ bỏ gạt tàn; xử lý người vi phạm.",
                     deadline=day + timedelta(days=15), report_due=day + timedelta(days=20)))
        s.add(Remedy(visit_id=finished.id, finding_id=absent.id, text="Xem xét, xử lý trách nhiệm đối với công chức vắng không lý do.",
                     deadline=day + timedelta(days=30), report_due=day + timedelta(days=30)))
        s.add(Remedy(visit_id=finished.id, finding_id=cards.id, text="Chấn chỉnh việc đeo thẻ công chức khi thi hành công vụ.",
                     deadline=day + timedelta(days=7), report_due=day + timedelta(days=10)))
    # the refusal first (it changes section V and the closing), then the team signs that text
    minutes_signatures.refuse(ctx, finished.id, "unit_representative", "Nguyễn Văn Hùng",
                              "Đề nghị xem lại số liệu điểm danh trước khi ký.")
    for role, name, position, seed in (("team_leader", "Nguyễn Thị Ánh Tuyết", "Phó Giám đốc Sở Nội vụ", 1),
                                       ("secretary", "Phạm Đức Anh", "Chuyên viên Văn phòng Sở", 2)):
        minutes_signatures.sign(ctx, finished.id, role, name, signature_strokes(seed), 600, 240, position)
    visit_close.close_visit(ctx, finished.id)
    # the records office reserved numbers 1–50 of the year for this tablet (services.numbering)
    with ctx.session() as s:
        numbering.apply_block(s, numbering.minutes_code(ctx), day.year, ctx.settings.device_id, 1, 50)

    ongoing = visits.create_visit(
        ctx, station.id, kind="planned", decision_number="131/QĐ-SNV", decision_date=date(2026, 11, 16),
        plan_reference="Kế hoạch số 18/KH-SNV ngày 15/01/2026 của Sở Nội vụ về kiểm tra công vụ năm 2026",
        arrival_at=_at(ONGOING_DAY, 7, 35),
        team=team[:2] + [visits.ParticipantIn("Phạm Đức Anh", "secretary", "Chuyên viên Văn phòng Sở")],
        unit_reps=[visits.ParticipantIn("Châu Thị Ngọc", "Trạm trưởng")],
        checklist_ids=["working_hours", "alcohol_tobacco", "office_culture"], place="Trạm Y tế xã Hòa Hội")
    roll_call.set_attendance(ctx, ongoing.id, staff["Bác sĩ Châu Thị Ngọc"].id, "present")
    checklists.record_answer(ctx, ongoing.id, "working_hours", "wh.on_time", "pass")
    return [f"{DEMO_UNIT}: {len(UBND_ROSTER)} người, cuộc kiểm tra đã kết thúc / finished visit {finished.id}",
            f"{HEALTH_STATION}: {len(STATION_ROSTER)} người, cuộc kiểm tra đang làm / visit in progress {ongoing.id}"]


def finished_visit_id(ctx: AppContext) -> str | None:
    with ctx.session() as s:
        row = s.exec(select(col(Visit.id)).join(Unit, col(Unit.id) == col(Visit.unit_id))
                     .where(col(Unit.name) == DEMO_UNIT).order_by(col(Visit.created_at))).first()
        return row
