"""``inspection-app``: runs the app, and subcommands for everything else.

Every module in this package that defines ``register(subparsers)`` adds its subcommands; each
subcommand sets ``func(args) -> int``. With no subcommand the app starts (desktop window when a
desktop client can start, otherwise offline web mode on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from ..domain.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inspection-app",
        description="Ứng dụng kiểm tra công vụ ngoại tuyến / offline public-service inspection app",
    )
    parser.add_argument("--data-dir", default=None,
                        help="data directory (default: $INSPECTION_APP_DATA_DIR or the user data directory)")
    parser.add_argument("--web", action="store_true", help="serve the app to a browser instead of a window")
    parser.add_argument("--host", default=os.environ.get("INSPECTION_APP_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("INSPECTION_APP_PORT", "8550")))
    parser.add_argument("--lang", choices=["vi", "en"], default=None, help="language of messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
