"""`check-config`: validate a site config file."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from monitor.config.loader import ConfigError, load_config
from monitor.measure.setup import SetupError, check_site


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("check-config", help="validate a config file and exit")
    parser.add_argument("path", type=Path, help="YAML config file")
    parser.set_defaults(handler=check_config)


def check_config(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.path)
    except ConfigError as error:
        print(f"{len(error.problems)} problem(s) in {error.file}:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem.render(error.file)}", file=sys.stderr)
        return 1
    # Valid fields can still describe a view that cannot run: a degenerate calibration,
    # a region above the calibrated horizon.
    unusable = []
    for index, site in enumerate(config.sites):
        try:
            check_site(site)
        except SetupError as error:
            unusable.append(f"  {args.path}: sites.{index}.{error.field}: {error.reason}")
    # `serve` refuses to start without a webhook's secret: say so before it is deployed.
    for index, webhook in enumerate(config.notify.webhooks):
        for key in ("url_env", "secret_env", "authorization_env"):
            name = getattr(webhook, key)
            if name is not None and not os.environ.get(name):
                unusable.append(
                    f"  {args.path}: notify.webhooks.{index}.{key}: environment variable "
                    f"{name} is not set here (serve would refuse to start)"
                )
    if unusable:
        print(f"{len(unusable)} problem(s) in {args.path}:", file=sys.stderr)
        print("\n".join(unusable), file=sys.stderr)
        return 1
    print(f"{args.path}: OK, {len(config.sites)} site(s): {', '.join(s.id for s in config.sites)}")
    return 0
