"""The one call path (``ui/calls.py``): typed results, the writer thread, no import circle in the UI."""

from __future__ import annotations

import ast
import asyncio
import threading
from pathlib import Path

import pytest

import inspection_app
from inspection_app.domain.errors import UserError
from inspection_app.ui import calls
from inspection_app.ui.calls import Failure, Ok


def run(coro):
    return asyncio.run(coro)


def test_a_value_comes_back_as_ok():
    result = run(calls.call(lambda a, b=0: a + b, 2, b=3))
    assert isinstance(result, Ok) and result.ok and result.value == 5 and result.message is None
    assert result.value_or(0) == 5


@pytest.mark.parametrize("lang, text", [("vi", "Số quyết định trống"), ("en", "Decision number is empty")])
def test_a_refusal_carries_its_message_in_the_current_language(lang, text):
    def refuse():
        raise UserError("Số quyết định trống", "Decision number is empty")

    result = run(calls.call(refuse, lang=lang))
    assert isinstance(result, Failure) and not result.ok
    assert result.message == text and isinstance(result.error, UserError)
    assert result.value_or("nothing") == "nothing"


def test_a_bug_becomes_a_failure_with_the_unexpected_message_not_a_crash():
    def broken():
        raise KeyError("bug")

    result = run(calls.call(broken, lang="en"))
    assert not result.ok and result.error is None and result.message == calls.UNEXPECTED["en"]
    assert run(calls.call(broken, unexpected="Lỗi")).message == "Lỗi"


def test_writes_run_on_the_one_writer_thread_in_the_order_they_were_made_and_long_work_elsewhere():
    seen: list[tuple[int, str]] = []

    def write(n):
        seen.append((n, threading.current_thread().name))
        return n

    async def scenario():
        tasks = [asyncio.create_task(calls.call(write, n)) for n in range(20)]
        long = await calls.call(lambda: threading.current_thread().name, work="long")
        await asyncio.gather(*tasks)
        return long

    long_thread = run(scenario())
    assert [n for n, _ in seen] == list(range(20))
    assert {name for _, name in seen} == {seen[0][1]} and seen[0][1].startswith("inspection-db")
    assert long_thread.value.startswith("inspection-long")


def _imports(path: Path, package: str) -> set[str]:
    """Modules of the package imported by one file (TYPE_CHECKING-only imports left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = package + "." + ".".join(path.relative_to(Path(inspection_app.__file__).parent).with_suffix("").parts)
    module = module.removesuffix(".__init__")
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
            and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                target = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith(package):
                out.add(target)
                out.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith(package))
    return out


def test_the_ui_has_no_import_circle():
    root = Path(inspection_app.__file__).parent
    files = {}
    for path in (root / "ui").rglob("*.py"):
        mod = "inspection_app." + ".".join(path.relative_to(root).with_suffix("").parts)
        files[mod.removesuffix(".__init__")] = path
    graph = {m: {t for t in _imports(p, "inspection_app") if t in files and t != m} for m, p in files.items()}

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in graph[m]:
            if state.get(n) == 1:
                raise AssertionError("import circle: " + " → ".join(stack[stack.index(n):] + [n]))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m)
    assert "inspection_app.ui.shell" not in {t for m, ts in graph.items() if ".views." in m or ".widgets." in m
                                             for t in ts}
