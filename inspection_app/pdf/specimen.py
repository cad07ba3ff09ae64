"""A specimen of the minutes with realistic Vietnamese content, built in memory.

Used by the tests, the benchmark and the README picture, so that the layout can be seen and
measured without a database. ``specimen_minutes(heavy=True)`` is the benchmark's heavy visit:
five checklists, 40 findings, a 200-person roll call and 30 sampled dossiers.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence

from ..domain.minutes import (
    ChecklistSection,
    Department,
    DossierRow,
    DossierSample,
    ItemResult,
    MinutesContent,
    Outcome,
    PhotoEntry,
    Remedy,
    RollCall,
    RollCallRow,
    SignatureMark,
    SignerRole,
    TeamMember,
    UnitRepresentative,
    recipients_lines,
)
from ..domain.roll_call import STATUS_LABELS, totals

DEPARTMENT = Department(parent_body="UBND TỈNH TÂY NINH", issuing_body="SỞ NỘI VỤ",
                        minutes_code="BB-SNV")

CHECKLISTS = [
    ("thoi-gian-lam-viec", "Thời gian làm việc, điểm danh", [
        ("Có quy định giờ làm việc niêm yết công khai", "Quyết định 188/1999/QĐ-TTg"),
        ("Bộ phận một cửa có người trực đúng giờ", "Nghị định số 118/2025/NĐ-CP"),
        ("Theo dõi chấm công đầy đủ", "Quyết định 188/1999/QĐ-TTg"),
        ("Không rời vị trí trong giờ làm việc", "Chỉ thị số 26/CT-TTg ngày 05/9/2016 của Thủ tướng Chính phủ"),
    ]),
    ("ruou-bia-thuoc-la", "Sử dụng rượu bia, thuốc lá", [
        ("Không uống rượu, bia trước và trong giờ làm việc", "khoản 5 Điều 5 Luật Phòng, chống tác hại của rượu, bia"),
        ("Có biển cấm hút thuốc lá tại nơi làm việc", "Thông tư 11/2023/TT-BYT"),
        ("Không có gạt tàn, đầu mẩu thuốc lá trong phòng làm việc", "điểm a khoản 2 Điều 11 Luật Phòng, chống tác hại của thuốc lá"),
    ]),
    ("van-hoa-cong-so", "Văn hóa công sở", [
        ("Đeo thẻ công chức, viên chức", "Điều 7 Quyết định số 129/2007/QĐ-TTg"),
        ("Trang phục gọn gàng, lịch sự", "Quyết định số 129/2007/QĐ-TTg"),
        ("Có biển tên cơ quan, biển tên phòng làm việc", "Quyết định số 129/2007/QĐ-TTg"),
        ("Niêm yết thủ tục, phí, lệ phí và số đường dây nóng", "Nghị định 118/2025/NĐ-CP"),
        ("Bố trí chỗ để xe miễn phí cho người dân", "Điều 16 Quyết định số 129/2007/QĐ-TTg"),
    ]),
    ("trach-nhiem-nguoi-dung-dau", "Trách nhiệm của người đứng đầu và cấp phó", [
        ("Có quy chế làm việc và phân công nhiệm vụ bằng văn bản", "Nghị định 157/2007/NĐ-CP"),
        ("Triển khai kịp thời văn bản chỉ đạo của cấp trên", "Chỉ thị số 26/CT-TTg ngày 05/9/2016 của Thủ tướng Chính phủ"),
        ("Tự kiểm tra nội bộ việc chấp hành kỷ luật, kỷ cương", "Chỉ thị số 26/CT-TTg ngày 05/9/2016 của Thủ tướng Chính phủ"),
        ("Tiếp công dân đúng lịch", "Luật Tiếp công dân"),
    ]),
    ("ho-so-tthc", "Giải quyết hồ sơ thủ tục hành chính", [
        ("Phiếu kiểm soát quá trình giải quyết hồ sơ đầy đủ", "Thông tư 03/2025/TT-VPCP"),
        ("Yêu cầu bổ sung hồ sơ không quá một lần", "Thông tư số 03/2025/TT-VPCP"),
        ("Có văn bản xin lỗi đối với hồ sơ quá hạn", "Nghị định 118/2025/NĐ-CP"),
        ("Sổ theo dõi khớp với trạng thái trên hệ thống", "Thông tư 03/2025/TT-VPCP"),
    ]),
]

FINDING_NOTES = [
    "Ông Lê Văn Tâm, công chức Địa chính, không đeo thẻ công chức khi tiếp công dân lúc 08 giờ 20.",
    "Phát hiện gạt tàn và đầu mẩu thuốc lá tại phòng làm việc của bộ phận Văn phòng – Thống kê.",
    "Bảng niêm yết thủ tục hành chính chưa cập nhật mức phí, lệ phí theo quy định mới.",
    "Hai công chức đến muộn hơn 15 phút nhưng không có lý do chính đáng.",
    "Chưa có văn bản xin lỗi đối với 02 hồ sơ quá hạn lĩnh vực hộ tịch.",
    "Sổ theo dõi hồ sơ ghi thiếu ngày trả kết quả của 03 hồ sơ.",
]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thị Kim", "Đức", "Hoài"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hạnh", "Hùng", "Hương", "Khánh", "Lan", "Long",
         "Mai", "Nam", "Nga", "Phúc", "Quân", "Quyên", "Sơn", "Thảo", "Tuấn", "Uyên", "Vy", "Yến"]
POSITIONS = ["Công chức Văn phòng - Thống kê", "Công chức Tư pháp - Hộ tịch",
             "Công chức Địa chính - Xây dựng", "Công chức Văn hóa - Xã hội",
             "Công chức Tài chính - Kế toán", "Viên chức", "Nhân viên hợp đồng"]
PROCEDURES = [("Đăng ký khai sinh", "Hộ tịch"), ("Chứng thực bản sao từ bản chính", "Chứng thực"),
              ("Đăng ký kết hôn", "Hộ tịch"), ("Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng"),
              ("Đăng ký thường trú", "Cư trú"), ("Xác nhận tình trạng hôn nhân", "Hộ tịch"),
              ("Đăng ký biến động đất đai", "Đất đai")]


def signature_strokes(seed: int, width: float = 600, height: float = 240
                      ) -> tuple[tuple[tuple[float, float], ...], ...]:
    """A plausible handwritten signature in pad pixels: a capital, cursive loops, a flourish."""
    rnd = random.Random(seed)
    strokes = []
    # a tall capital stroke
    cap_x = width * (0.12 + 0.03 * rnd.random())
    strokes.append(tuple((round(cap_x + 30 * math.sin(t * math.pi) + 10 * t, 1),
                          round(height * (0.2 + 0.55 * t), 1))
                         for t in (i / 24 for i in range(25))))
    # cursive loops: a prolate cycloid whose loops shrink to the right
    loops = 4 + seed % 3
    pts = []
    for i in range(220):
        t = i / 219
        phase = t * loops * 2 * math.pi
        amp = height * (0.22 - 0.1 * t) * (1 + 0.15 * math.sin(seed + 3 * t))
        x = width * (0.2 + 0.55 * t) + 22 * math.sin(phase)
        y = height * 0.5 - amp * math.cos(phase) + rnd.uniform(-0.8, 0.8)
        pts.append((round(x, 1), round(y, 1)))
    strokes.append(tuple(pts))
    # the flourish underneath
    strokes.append(tuple((round(width * (0.1 + 0.78 * t), 1),
                          round(height * (0.8 - 0.12 * t) + 10 * math.sin(3 * t + seed), 1))
                         for t in (i / 39 for i in range(40))))
    return tuple(strokes)


def person(rnd: random.Random) -> str:
    return f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"


def specimen_minutes(*, heavy: bool = False, photos: Sequence[str] = (), number: int | None = 12,
                     unit_refuses: bool = False, seed: int = 7, findings: int | None = None) -> MinutesContent:
    """Minutes of a visit to a commune People's Committee; ``heavy`` makes the benchmark visit
    (40 findings unless ``findings`` says otherwise; the checklists grow to hold them)."""
    rnd = random.Random(seed)
    day = dt.date(2026, 7, 14)
    start = dt.datetime(2026, 7, 14, 7, 35)
    end = dt.datetime(2026, 7, 14, 11, 20)
    findings_wanted = findings if findings is not None else (40 if heavy else 6)
    per_list = max(12, math.ceil(findings_wanted * 3 / 2 / len(CHECKLISTS))) if heavy else None

    sections = []
    finding_count = 0
    photo_refs = [f"A{i + 1}" for i in range(len(photos))]
    photo_cursor = 0
    for ci, (cid, title, base_items) in enumerate(CHECKLISTS):
        items = []
        count = per_list or len(base_items)
        for k in range(count):
            text, basis = base_items[k % len(base_items)]
            if k >= len(base_items):
                text = f"{text} (khu vực {k // len(base_items) + 1})"
            failed = finding_count < findings_wanted and (heavy and k % 3 != 2 or
                                                          (not heavy and k == 0 and ci < 5))
            refs: tuple[str, ...] = ()
            if failed:
                finding_count += 1
                take = 1 if photo_cursor < len(photo_refs) else 0
                refs = tuple(photo_refs[photo_cursor:photo_cursor + take])
                photo_cursor += take
            items.append(ItemResult(
                item_id=f"{ci + 1}.{k + 1}", text=text,
                outcome=Outcome.FAILED if failed else (Outcome.NOT_APPLICABLE if k == 4 and ci == 2
                                                       else Outcome.PASSED),
                note=FINDING_NOTES[finding_count % len(FINDING_NOTES)] if failed else "",
                legal_basis=basis, photo_refs=refs,
            ))
        sections.append(ChecklistSection(checklist_id=cid, version="2026.1", title=title,
                                         items=tuple(items)))

    LABEL_KEYS = {v["vi"]: k for k, v in STATUS_LABELS.items()}
    headcount = 200 if heavy else 24
    statuses = (["Có mặt"] * 16 + ["Đi muộn", "Vắng có lý do", "Vắng không lý do", "Rời vị trí"])
    rows = []
    for i in range(headcount):
        status = statuses[rnd.randrange(len(statuses))] if i else "Có mặt"
        late = rnd.randint(6, 40) if status == "Đi muộn" else None
        rows.append(RollCallRow(
            name=person(rnd), position=rnd.choice(POSITIONS), status=status,
            arrival=(f"07:{rnd.randint(10, 29):02d}" if status == "Có mặt" else
                     f"07:{30 + (late or 0) % 30:02d}" if status == "Đi muộn" else ""),
            minutes_late=late,
            reason=("Đi công tác theo Giấy mời số 45/GM-UBND" if status == "Vắng có lý do" else ""),
        ))
    roll = RollCall(rows=tuple(rows), totals=totals([LABEL_KEYS[r.status] for r in rows], len(rows)), team_arrival="07:35",
                    method="máy chấm công vân tay và sổ theo dõi")

    n_dossiers = 30 if heavy else 8
    drows = []
    for i in range(n_dossiers):
        proc, domain = PROCEDURES[i % len(PROCEDURES)]
        received = dt.date(2026, 6, 1) + dt.timedelta(days=rnd.randint(0, 30))
        due = received + dt.timedelta(days=rnd.choice([3, 5, 7, 15]))
        late = i % 7 == 3
        early = not late and i % 5 == 1
        returned = due + dt.timedelta(days=2 if late else -2 if early else 0)
        status = "late" if late else "early" if early else "on_time"
        drows.append(DossierRow(
            code=f"000.00.12.H56-{received:%y%m%d}-{1000 + i:04d}", procedure=proc, domain=domain,
            received=received, due=due, returned=returned,
            timeliness=("Quá hạn (2 ngày làm việc)" if late else
                        "Trước hạn (2 ngày làm việc)" if early else "Đúng hạn"),
            result="Không đạt: thiếu văn bản xin lỗi (Mẫu 04)" if late else "Đạt",
            status=status, failed=late,
        ))
    sample = DossierSample(
        seed_hex="5f2c9a0b7e14d3c8a1f06b29e4d7c3a1",
        commitment="c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2",
        frame_hash="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        algorithm_version="sample-v1", frame_size=412 if heavy else 137, rows=tuple(drows),
        strata="theo lĩnh vực")

    photo_entries = []
    owners = [(s, i) for s in sections for i in s.items if i.photo_refs]
    owner_of = {ref: (s, i) for s, i in owners for ref in i.photo_refs}
    for idx, path in enumerate(photos):
        ref = f"A{idx + 1}"
        sec_item = owner_of.get(ref)
        item_ref = f"{sec_item[1].item_id} {sec_item[1].text}" if sec_item else ""
        photo_entries.append(PhotoEntry(
            ref=ref, path=str(path), caption=f"Hiện trạng tại phòng làm việc số {idx % 9 + 1}",
            taken_at=dt.datetime(2026, 7, 14, 8, 0) + dt.timedelta(minutes=3 * idx),
            item_ref=item_ref))

    unit_sig = (SignatureMark(SignerRole.UNIT_REPRESENTATIVE, "Trần Văn Đức", refused=True,
                              refusal_reason="Không đồng ý với đánh giá tại mục III")
                if unit_refuses else
                SignatureMark(SignerRole.UNIT_REPRESENTATIVE, "Trần Văn Đức",
                              strokes=signature_strokes(2), pad_width=600, pad_height=240))
    return MinutesContent(
        department=DEPARTMENT, number=number, place="Tây Ninh", date=day,
        unit_name="UBND xã Tân Phú", summary="Kiểm tra công vụ tại UBND xã Tân Phú",
        legal_basis=(
            "Căn cứ Quyết định số 215/QĐ-SNV ngày 02 tháng 7 năm 2026 của Giám đốc Sở Nội vụ "
            "về việc thành lập Đoàn kiểm tra công vụ năm 2026;",
            "Căn cứ Kế hoạch số 48/KH-SNV ngày 15 tháng 01 năm 2026 của Sở Nội vụ về kiểm tra "
            "công vụ năm 2026.",
        ),
        start=start, venue="trụ sở UBND xã Tân Phú, tỉnh Tây Ninh",
        team=(
            TeamMember("Nguyễn Thị Ánh Tuyết", "Phó Giám đốc Sở Nội vụ", "Trưởng đoàn"),
            TeamMember("Phạm Quốc Huy", "Trưởng phòng Công chức, viên chức", "Phó Trưởng đoàn"),
            TeamMember("Võ Thị Ngọc Hân", "Chuyên viên Phòng Cải cách hành chính", "Thành viên"),
            TeamMember("Đặng Minh Khôi", "Chuyên viên Văn phòng Sở", "Thư ký"),
        ),
        unit_representatives=(
            UnitRepresentative("Trần Văn Đức", "Chủ tịch UBND xã"),
            UnitRepresentative("Lý Thị Hồng", "Công chức Văn phòng - Thống kê"),
        ),
        sections=tuple(sections),
        assessment=(
            "UBND xã Tân Phú cơ bản chấp hành tốt kỷ luật, kỷ cương hành chính; bộ phận một cửa "
            "bố trí công chức trực đúng giờ, thái độ tiếp công dân niềm nở.\n"
            "Tuy nhiên, còn một số tồn tại: việc đeo thẻ công chức chưa nghiêm; còn hồ sơ quá hạn "
            "chưa có văn bản xin lỗi; sổ theo dõi hồ sơ ghi chưa đầy đủ."
        ),
        remedies=(
            Remedy("Chấn chỉnh việc đeo thẻ công chức trong giờ làm việc", dt.date(2026, 7, 31),
                   dt.date(2026, 8, 15)),
            Remedy("Gửi văn bản xin lỗi đối với các hồ sơ quá hạn và cập nhật sổ theo dõi hồ sơ",
                   dt.date(2026, 7, 24), dt.date(2026, 8, 15)),
        ),
        unit_opinion="UBND xã Tân Phú thống nhất với nội dung biên bản và cam kết khắc phục các "
                     "tồn tại đúng thời hạn." if not unit_refuses else
                     "Đại diện đơn vị không đồng ý với đánh giá tại mục III.",
        end=end,
        signatures=(
            unit_sig,
            SignatureMark(SignerRole.TEAM_LEADER, "Nguyễn Thị Ánh Tuyết",
                          strokes=signature_strokes(5), pad_width=600, pad_height=240,
                          post="Phó Giám đốc Sở Nội vụ"),
            SignatureMark(SignerRole.SECRETARY, "Đặng Minh Khôi",
                          strokes=signature_strokes(9), pad_width=600, pad_height=240),
        ),
        roll_call=roll, sample=sample, photos=tuple(photo_entries),
        team_name="Đoàn kiểm tra công vụ của Sở Nội vụ",
        visit_kind="unannounced",
        recipients=recipients_lines("UBND xã Tân Phú", "Giám đốc Sở Nội vụ", "CCVC"),
        visit_id="specimen",
    )
