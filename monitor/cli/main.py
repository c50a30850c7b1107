"""`crowd-monitor` command line: each sub-command lives in its own module and registers here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from monitor.cli import (
    config_commands,
    density_commands,
    samples_command,
    serve_command,
    store_commands,
    user_commands,
)

Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

REGISTRARS: tuple[Registrar, ...] = (
    serve_command.register,
    config_commands.register,
    density_commands.register,
    samples_command.register,
    user_commands.register,
    store_commands.register,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crowd-monitor", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in REGISTRARS:
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Each sub-parser sets `handler`, a function of the parsed args returning the exit code."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
