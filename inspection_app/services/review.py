"""The office's review, one import away: the visits table, a visit's full record, the dashboard,
remedies follow-up.

The code lives in one module per concern (``visits_table``, ``visit_record``, ``dashboard``,
``follow_up``; dates and which visits count in ``office_dates``; violations in ``violation_tally``);
this module re-exports their public names so callers keep writing ``review.dashboard(...)``.
"""

from __future__ import annotations

from .dashboard import Dashboard, dashboard, open_visits
from .follow_up import RemedyRow, accept_remedy, record_report_back, remedies, reopen_remedy
from .office_dates import COUNTED_STATUSES, LOCAL_TZ, _period_clauses, _visit_when, local_date, period_clauses  # noqa: F401
from .visit_record import (
                           AnswerRow,
                           AttendanceRow,
                           AuditSummary,
                           DossierRow,
                           FindingRow,
                           MinutesRow,
                           ParticipantRow,
                           PhotoRow,
                           SampleRow,
                           SignatureRow,
                           UnitInfo,
                           VisitRecord,
                           visit_record,
)
from .visits_table import FilterOptions, VisitFilters, VisitPage, VisitRow, filter_options, visits_page

__all__ = [
    "VisitFilters", "VisitRow", "VisitPage", "FilterOptions", "visits_page", "filter_options",
    "VisitRecord", "UnitInfo", "ParticipantRow", "AnswerRow", "FindingRow", "AttendanceRow", "DossierRow",
    "SampleRow", "PhotoRow", "SignatureRow", "MinutesRow", "RemedyRow", "AuditSummary", "visit_record",
    "Dashboard", "dashboard", "open_visits", "remedies", "record_report_back", "accept_remedy", "reopen_remedy",
    "local_date", "LOCAL_TZ", "COUNTED_STATUSES", "period_clauses",
]
