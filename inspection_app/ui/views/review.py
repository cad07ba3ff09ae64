"""The office review ("Tổng hợp"): its screens live in ``views/review_*.py``.

``/review`` is the visits table (``review_visits``); ``/review/dashboard``, ``/review/remedies``,
``/review/bundles`` and ``/review/visits/<id>`` are listed in ``registry``. ``ReviewScreen`` is kept
as the name of the review's entry screen.
"""

from __future__ import annotations

from .review_visits import ReviewVisitsScreen as ReviewScreen

__all__ = ["ReviewScreen"]
