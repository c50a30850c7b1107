"""How a command fails as expected: one line on stderr and exit code 1, no traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]


class CommandError(Exception):
    """An expected failure: printed as one line, exit code 1."""


def fail(message: str) -> int:
    print(f"crowd-monitor: error: {message}", file=sys.stderr)
    return 1


def guarded(handler: Handler, *expected: type[Exception]) -> Handler:
    """`handler`, with CommandError and the `expected` errors printed as one line."""

    caught: tuple[type[Exception], ...] = (CommandError, *expected)

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except caught as error:
            return fail(str(error))

    return run
