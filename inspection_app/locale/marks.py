"""Where the code marks catalog messages, found from its syntax tree (``python -m inspection_app.locale.marks``
writes them to ``messages.pot``; ``make extract-messages`` then updates both ``.po`` files).

The marks (issue #16 point 4): ``t("…")``, ``label("…")``, ``N_("…")``, ``N_p("context", "…")``,
``both("…", **params)``, ``t.plural("…", "…", n)`` and the one-argument ``UserError("…", **params)`` with its
subclasses. Babel's own Python extractor misses marks inside f-strings on Python 3.11, so this walks the
syntax tree instead; ``tests/unit/test_catalogs.py`` checks the catalogs against the same list. Standard
library only at import (Babel is imported by :func:`main`, a development step).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Set as AbstractSet
from pathlib import Path

PKG = Path(__file__).resolve().parents[1]
ERROR_BASES = {"UserError", "NotFound", "ValidationFailed", "Locked", "StorageError"}

Found = tuple[str, int, str | tuple[str, str], str | None]  # file, line, msgid (or singular, plural), context


def error_classes(sources: dict[str, ast.Module]) -> set[str]:
    """UserError and every class deriving from it (by name) in ``sources``."""
    names = set(ERROR_BASES)
    bases = {n.name: {getattr(b, "id", getattr(b, "attr", "")) for b in n.bases}
             for tree in sources.values() for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    grew = True
    while grew:
        grew = False
        for cls, bs in bases.items():
            if cls not in names and bs & names:
                names.add(cls)
                grew = True
    return names


def _str(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def extract(sources: dict[str, ast.Module], legacy_keys: AbstractSet[str] = frozenset()) -> list[Found]:
    """The catalog messages marked in ``sources`` (file name → parsed module)."""
    errors = error_classes(sources)
    out: list[Found] = []
    for name, tree in sources.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            fname = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            args = [_str(a) for a in node.args]
            if fname == "N_p" and len(args) >= 2 and args[0] is not None and args[1]:
                out.append((name, node.lineno, args[1], args[0]))
            elif fname == "plural" and len(args) >= 2 and args[0] and args[1]:
                out.append((name, node.lineno, (args[0], args[1]), None))
            elif (fname in ("N_", "t", "both") or fname == "label" and isinstance(f, ast.Name)) and args and args[0]:
                if args[0] not in legacy_keys:
                    out.append((name, node.lineno, args[0], None))
            elif fname in errors and len(node.args) == 1 and args[0]:
                out.append((name, node.lineno, args[0], None))
    return out


def package_sources(root: Path = PKG.parent) -> dict[str, ast.Module]:
    """Every module of the package under ``root``, parsed (file name relative to ``root`` → module)."""
    pkg = root / PKG.name
    return {str(p.relative_to(root)): ast.parse(p.read_bytes()) for p in sorted(pkg.rglob("*.py"))}


def main(argv: list[str] | None = None) -> int:
    """``python -m inspection_app.locale.marks OUT.pot``: the template of every marked message."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m inspection_app.locale.marks OUT.pot", file=sys.stderr)
        return 2
    template = Catalog(project="inspection-app", charset="utf-8")
    for filename, lineno, message, context in extract(package_sources()):
        template.add(message, locations=[(filename, lineno)], context=context)
    with open(args[0], "wb") as f:
        write_po(f, template, omit_header=False, no_location=True, sort_output=True, width=120)
    print(f"{len(template)} messages → {args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
