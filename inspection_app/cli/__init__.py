"""``inspection-app``: runs the app, and subcommands for everything else.

Every module in this package that defines ``register(subparsers)`` adds its subcommands; each
subcommand sets ``func(args) -> int``. With no subcommand the app starts (desktop window when a
desktop client can start, otherwise offline web mode on 127.0.0.1).

Start-up stays light: only the module of the subcommand given is imported (``KNOWN`` says which
module holds which command); with no subcommand none is; ``--help`` or a command not in
``KNOWN`` (one a module added since) imports them all, as discovery always did.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

#: subcommand -> the module of this package that registers it (a hint; discovery is the fallback)
KNOWN = {
    "demo": "core", "checklists": "core", "import-roster": "core", "audit": "core", "list": "core",
    "bundle": "bundle", "export-minutes": "minutes", "verify": "minutes", "keys": "minutes",
    "report": "report", "sample": "sample", "import-register": "sample",
}


def _global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default=None,
                        help="data directory (default: $INSPECTION_APP_DATA_DIR, $FLET_APP_STORAGE_DATA "
                             "or the user data directory)")
    parser.add_argument("--web", action="store_true", help="serve the app to a browser instead of a window")
    parser.add_argument("--host", default=os.environ.get("INSPECTION_APP_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("INSPECTION_APP_PORT", "8550")))
    parser.add_argument("--lang", choices=["vi", "en"], default=None, help="language of messages")


def _modules(names: list[str] | None) -> list[str]:
    if names is not None:
        return names
    return sorted(m.name for m in pkgutil.iter_modules(__path__))


def build_parser(modules: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser with the subcommands of ``modules`` (all of this package's modules when None)."""
    parser = argparse.ArgumentParser(
        prog="inspection-app",
        description="Ứng dụng kiểm tra công vụ ngoại tuyến / offline public-service inspection app",
    )
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _modules(modules):
        module = importlib.import_module(f"{__name__}.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def _command_word(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (None: run the app), or "" when help is asked for."""
    pre = argparse.ArgumentParser(add_help=False)
    _global_options(pre)
    try:
        _, rest = pre.parse_known_args(argv)
    except SystemExit:  # a malformed global option: let the full parser say what is wrong
        return ""
    if any(a in ("-h", "--help") for a in rest):
        return ""
    return rest[0] if rest else None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    word = _command_word(argv)
    if word is None:
        modules: list[str] | None = []
    elif word in KNOWN:
        modules = [KNOWN[word]]
    else:
        modules = None  # help, or a command not in KNOWN: discover them all
    parser = build_parser(modules)
    args = parser.parse_args(argv)
    from ..domain.errors import UserError

    try:
        if args.command is None:
            from .core import run_app_command

            return run_app_command(args)
        return int(args.func(args) or 0)
    except UserError as err:
        print(err.message(args.lang) if args.lang else str(err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
