"""The violation part of the finding form: its kind and the people it concerns.

Kept apart from the rest of the findings screen (drafts and the item/person link live in
``views/findings.py``). The kinds are ``domain.violations.ViolationKind`` (labels from
``services.findings.FINDING_KINDS``); the people are the unit's roster, any number of them (one
finding can concern several people). The office counts each violation once however it was recorded.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from ...services.findings import FINDING_KINDS


class ViolationFields:
    def __init__(self, t, staff: list, disabled: bool = False):
        self.t = t
        self.kind_pick = ft.Dropdown(
            label=t("Loại vi phạm"), width=360, value="", disabled=disabled,
            options=[ft.DropdownOption(key="", text=t("Không phải vi phạm"))]
            + [ft.DropdownOption(key=k, text=t.text(v)) for k, v in FINDING_KINDS.items()])
        self.boxes: list[Any] = [ft.Checkbox(label=p.full_name + (f" ({p.position})" if p.position else ""), data=p.id,
                                  value=False, disabled=disabled) for p in staff]
        self.people_box = ft.Column(self.boxes, spacing=0, scroll=ft.ScrollMode.AUTO, height=min(200, 48 * len(staff)))
        self.control = ft.Semantics(identifier="finding-violation", container=True, content=ft.Column([
            self.kind_pick,
            *([ft.Text(t("Người vi phạm (chọn một hoặc nhiều người)"), size=16), self.people_box] if staff else []),
        ], spacing=6))

    @property
    def kind(self) -> str:
        return self.kind_pick.value or ""

    @property
    def people(self) -> list[str]:
        return [b.data for b in self.boxes if b.value]

    def clear(self) -> None:
        self.kind_pick.value = ""
        for b in self.boxes:
            b.value = False


def describe(t, kind: str, people: list[str]) -> str:
    """"Thuốc lá · Tạ Văn Đức, Lê Văn B" for a finding's card; "" when it is not a violation."""
    label = t.text(FINDING_KINDS[kind]) if kind in FINDING_KINDS else ""
    return " · ".join(x for x in (label, ", ".join(people)) if x)
