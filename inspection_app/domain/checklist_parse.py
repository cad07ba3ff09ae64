"""Reading a checklist file: YAML parsed with line numbers, validated against :class:`.checklist.Checklist`,
and every problem located (file, line, field) for a person to fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from .checklist import Checklist, DuplicateItem, UnknownDocument


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a checklist file, located for a person to fix."""

    source: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def _node_at(node: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    """Follow a pydantic error location through the YAML node tree; return the deepest node found."""
    current = node
    for key in loc:
        if isinstance(current, yaml.MappingNode):
            nxt = None
            for k_node, v_node in current.value:
                if k_node.value == key:
                    nxt = v_node
                    break
            if nxt is None:
                return current
            current = nxt
        elif isinstance(current, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(current.value):
                return current
            current = current.value[key]
        else:
            return current
    return current


def _field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def parse_checklist(text: str, source: str) -> tuple[Checklist | None, list[Problem]]:
    """Parse and validate one checklist document."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(source, line, "", f"YAML không hợp lệ / invalid YAML: {reason}")]
    if not isinstance(data, dict):
        return None, [Problem(source, 1, "", "tệp phải là một bảng khóa–giá trị / the file must be a mapping")]
    try:
        return Checklist.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            ctx_err = err.get("ctx", {}).get("error")
            if isinstance(ctx_err, (DuplicateItem, UnknownDocument)):
                loc = ctx_err.loc
            node = _node_at(root, loc)
            line = node.start_mark.line + 1 if node is not None else None
            problems.append(Problem(source, line, _field_name(loc), _message(err)))
        return None, problems


def _message(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "thiếu trường bắt buộc / required field missing"
    if kind == "extra_forbidden":
        return "trường không được hỗ trợ / unknown field"
    if kind == "enum":
        allowed = err.get("ctx", {}).get("expected", "")
        return f"giá trị không hợp lệ, cho phép / invalid value, allowed: {allowed}"
    msg = str(err.get("msg", ""))
    return msg.removeprefix("Value error, ")
