"""`user`: manage accounts from the command line (add, list, token).

Passwords are prompted for, or read from stdin with --password-stdin; never taken as an
argument, where they would end up in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from monitor.auth.accounts import Accounts, InvalidName, UserExists
from monitor.auth.passwords import WeakPassword
from monitor.auth.roles import Role
from monitor.auth.service import AuthService
from monitor.config.settings import Settings
from monitor.store.factory import open_store


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("user", help="manage user accounts")
    actions = parser.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="create a user (asks for the password)")
    add.add_argument("name", help="user name: letters, digits and . _ @ -")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin's first line"
    )
    add.set_defaults(handler=_run(add_user))

    listing = actions.add_parser("list", help="list users and their roles")
    listing.set_defaults(handler=_run(list_users))

    token = actions.add_parser("token", help="print a new API token for a user (once)")
    token.add_argument("name")
    token.set_defaults(handler=_run(new_token))

    for sub in (add, listing, token):
        sub.add_argument("--data-dir", type=Path, help="store location (default ./data)")
        sub.add_argument("--database-url", help="SQLAlchemy URL overriding the SQLite default")


def _run(command: Callable[[argparse.Namespace, AuthService], int]) -> Callable[..., int]:
    def handler(args: argparse.Namespace) -> int:
        overrides = {
            key: value
            for key, value in {"data_dir": args.data_dir, "database_url": args.database_url}.items()
            if value is not None
        }
        settings = Settings(**overrides)
        store = open_store(settings.database_url, settings.data_dir)
        try:
            return command(args, AuthService(Accounts(store.engine)))
        finally:
            store.close()

    return handler


def add_user(args: argparse.Namespace, auth: AuthService) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            print("the passwords differ", file=sys.stderr)
            return 1
    try:
        user = auth.add_user(args.name, Role(args.role), password)
    except (UserExists, InvalidName, WeakPassword) as error:
        print(error, file=sys.stderr)
        return 1
    print(f"added {user.name} ({user.role.value})")
    return 0


def list_users(args: argparse.Namespace, auth: AuthService) -> int:
    for user in auth.accounts.users():
        state = " (disabled)" if user.disabled else ""
        print(f"{user.name}\t{user.role.value}{state}")
    return 0


def new_token(args: argparse.Namespace, auth: AuthService) -> int:
    user = auth.accounts.user(args.name)
    if user is None or user.disabled:
        print(f"no enabled user '{args.name}'", file=sys.stderr)
        return 1
    # Printed once; only its hash is stored. It replaces the user's previous token.
    print(auth.api_token(args.name).token)
    return 0
