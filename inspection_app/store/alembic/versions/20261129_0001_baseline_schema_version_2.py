"""baseline: schema version 2

Revision ID: 0001
Revises:
Create Date: 2026-11-29 12:17:49.037420
"""

from __future__ import annotations

from inspection_app.store.schema_v2 import create_baseline, drop_baseline  # the tables, moved out unchanged

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_baseline()


def downgrade() -> None:
    drop_baseline()
