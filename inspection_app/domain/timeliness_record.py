"""A sampled dossier's timeliness as the inspection records it (issue #13, "ask once").

The register gives a status (:mod:`inspection_app.domain.timeliness`); the dossier checklist's item
``td.timeliness`` takes one of early / on_time / late. The inspector confirms the value the register
gives, or records another one with a reason: the record is then *confirmed*, *overridden*, or, when
it differs from the register and no reason is kept (an older record, a bundle), *unexplained*. An
overdue dossier (not returned, past its due date) is late; a pending or unknown one has no value to
confirm. The minutes count the recorded value and print the register's beside an override.
"""

from __future__ import annotations

from inspection_app.domain.timeliness import Timeliness, TimelinessResult

TIMELINESS_ITEM = "td.timeliness"

#: the item's answer a computed status stands for; pending and unknown have none (nothing to confirm)
CHOICE_OF_STATUS = {Timeliness.EARLY: "early", Timeliness.ON_TIME: "on_time", Timeliness.LATE: "late",
                    Timeliness.OVERDUE: "late"}


def computed_choice(result: TimelinessResult) -> str | None:
    return CHOICE_OF_STATUS.get(result.status)


def record_state(result: TimelinessResult, recorded: str | None, reason: str) -> str:
    """``unconfirmed``, ``confirmed`` (the register's value), ``overridden`` (another value, with its
    reason) or ``unexplained`` (another value and no reason: the close check lists it)."""
    if recorded is None:
        return "unconfirmed"
    if recorded == computed_choice(result):
        return "confirmed"
    return "overridden" if reason.strip() else "unexplained"


def recorded_status(result: TimelinessResult, recorded: str | None) -> str:
    """The Timeliness code the record stands for: the recorded answer once confirmed or set, else the
    register's status (what the minutes' body counts and the annex prints)."""
    return recorded or result.status.value


def status_words(status: Timeliness, days: int, lang: str = "vi") -> str:
    """"Quá hạn (3 ngày làm việc)": the one-stop word, with the working days when they count."""
    label = status.label_vi if lang == "vi" else status.label_en
    if status in (Timeliness.EARLY, Timeliness.LATE, Timeliness.OVERDUE) and days:
        label += f" ({days} {'ngày làm việc' if lang == 'vi' else 'working days'})"
    return label


def annex_label(result: TimelinessResult, recorded: str | None, reason: str, lang: str = "vi") -> str:
    """The annex's timeliness cell, starting with the word of :func:`recorded_status`: "Quá hạn (3 ngày
    làm việc)" when confirmed; "Đúng hạn (sửa khi kiểm tra; theo sổ theo dõi: quá hạn (3 ngày làm việc);
    lý do: …)" when overridden; the register's value and "(chưa xác nhận)" before either."""
    days = result.working_days
    computed = status_words(result.status, days, lang)
    state = record_state(result, recorded, reason)
    if state == "unconfirmed" or recorded is None:
        return computed + (" (chưa xác nhận)" if lang == "vi" else " (not confirmed)")
    if state == "confirmed":  # "overdue" confirmed is printed as the late it is, with its days
        return status_words(Timeliness(recorded), days, lang)
    word = status_words(Timeliness(recorded), 0, lang)
    why = reason.strip().rstrip(".")
    # the register's value in lower case: the annex keeps one status word per row (counted against the body)
    if lang == "vi":
        return f"{word} (sửa khi kiểm tra; theo sổ theo dõi: {computed.lower()}; lý do: {why or 'chưa ghi'})"
    return f"{word} (changed on inspection; the register gives: {computed.lower()}; reason: {why or 'none given'})"
