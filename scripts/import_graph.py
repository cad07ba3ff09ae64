#!/usr/bin/env python3
"""The picture of the package's layers, read from its imports: ``python scripts/import_graph.py``.

Prints a Mermaid flowchart of the parts of ``inspection_app`` (sub-packages and top-level modules) with an
arrow for every part that imports another (the label counts the importing modules), then lists the imports
that point *up* the layer order of docs/architecture.md, and every module-level import cycle. ``--write``
replaces the picture in docs/architecture.md between its ``<!-- import-graph -->`` markers. Standard library
only (``ast``), so anyone can run it.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "inspection_app"
# lower index = lower layer; a part may import parts at its own level or below
LAYERS = [["domain"], ["store", "config", "resources", "paths", "fsutil"], ["media", "registers", "pdf", "sync"],
          ["services"], ["ui", "cli", "main", "__main__", "__init__"]]
LEVEL = {part: i for i, parts in enumerate(LAYERS) for part in parts}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, name: str) -> set[str]:
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("inspection_app")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("inspection_app"):
                out.add(target)
                out |= {f"{target}.{a.name}" for a in node.names}
    return out


def part(module: str) -> str:
    bits = module.split(".")
    return bits[1] if len(bits) > 1 else "__init__"


def main(argv: list[str]) -> int:
    modules = {module_name(p): p for p in PKG.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in imports(path, name)
                       if m in modules and m != name and not name.startswith(m + ".")}  # not its own package
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    upward = []
    for src, targets in graph.items():
        for dst in targets:
            a, b = part(src), part(dst)
            if a != b:
                edges[(a, b)].add(src)
                if LEVEL.get(b, 0) > LEVEL.get(a, 0):
                    upward.append(f"{src} → {dst}")
    lines = ["```mermaid", "flowchart TD"]
    for i, parts in reversed(list(enumerate(LAYERS))):
        lines.append(f"    subgraph layer{i}[\" \"]")
        lines += [f"        {p.replace('__main__', 'main').replace('__init__', 'pkg')}" for p in parts]
        lines.append("    end")
    for (a, b), srcs in sorted(edges.items()):
        na, nb = (x.replace("__main__", "main").replace("__init__", "pkg") for x in (a, b))
        lines.append(f"    {na} -->|{len(srcs)}| {nb}")
    lines.append("```")
    cycles = find_cycles(graph)
    report = ["", f"Upward imports: {len(upward)}", *(f"- {u}" for u in sorted(upward)),
              f"Import cycles (strongly connected modules): {len(cycles)}",
              *(f"- {len(c)} modules: {', '.join(sorted(c)[:6])}{' …' if len(c) > 6 else ''}" for c in cycles)]
    picture = "\n".join(lines)
    if "--write" in argv:
        doc = ROOT / "docs" / "architecture.md"
        text = doc.read_text(encoding="utf-8")
        start, end = "<!-- import-graph -->", "<!-- /import-graph -->"
        a, b = text.index(start) + len(start), text.index(end)
        doc.write_text(text[:a] + "\n" + picture + "\n" + "\n".join(report[1:]) + "\n" + text[b:], encoding="utf-8")
    print(picture)
    print("\n".join(report))
    return 0


def find_cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[set[str]] = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out, key=len, reverse=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
