"""``web-user``: who may sign in to web mode from another machine (see ``ui.door``).

The password is asked for without echo (twice), or read from ``--password-env VAR`` for scripts;
never taken as an argument.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from inspection_app.locale import N_p

from ..domain.errors import UserError


def _password(args: argparse.Namespace) -> str:
    if args.password_env:
        value = os.environ.get(args.password_env)
        if value is None:
            raise UserError("Biến môi trường {password_env} chưa được đặt.", password_env=args.password_env)
        return value
    if not sys.stdin.isatty():
        raise UserError("Cần mật khẩu: dùng --password-env TÊN_BIẾN khi chạy không tương tác.")
    value = getpass.getpass("Mật khẩu / password: ")
    if getpass.getpass("Nhập lại / repeat: ") != value:
        raise UserError(N_p("cli.web", "Hai lần nhập mật khẩu không khớp."))
    return value


def _web_user(args: argparse.Namespace) -> int:
    from ..config import resolve_data_dir
    from ..services import web_access

    data_dir = resolve_data_dir(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    if args.list:
        for name in web_access.user_names(data_dir):
            print(name)
        return 0
    if not args.name:
        raise UserError("Cần tên người dùng.")
    if args.remove:
        found = web_access.remove_user(data_dir, args.name)
        print("Đã xóa / removed" if found else "Không có người dùng này / no such user")
        return 0 if found else 1
    user = web_access.set_password(data_dir, args.name, _password(args))
    print(f"Đã đặt mật khẩu web cho / web password set for: {user.name}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("web-user", help="set, remove or list the users who may sign in to web mode "
                                        "on a non-loopback address (--host 0.0.0.0)")
    p.add_argument("name", nargs="?", help="the user's name (recorded as the actor of their changes)")
    p.add_argument("--remove", action="store_true", help="remove this user")
    p.add_argument("--list", action="store_true", help="list the users")
    p.add_argument("--password-env", metavar="VAR", help="read the password from this environment variable")
    p.set_defaults(func=_web_user)
