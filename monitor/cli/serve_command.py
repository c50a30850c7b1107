"""`serve`: run the monitor and its web page until interrupted."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from monitor.config.loader import ConfigError, load_config
from monitor.config.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("serve", help="run the monitor with its API and live page")
    parser.add_argument("--config", type=Path, required=True, help="YAML site config")
    parser.add_argument("--host", help="bind address (default 127.0.0.1, env CROWD_MONITOR_HOST)")
    parser.add_argument("--port", type=int, help="HTTP port (default 8000, env CROWD_MONITOR_PORT)")
    parser.add_argument("--data-dir", type=Path, help="store location (default ./data)")
    parser.add_argument("--database-url", help="SQLAlchemy URL overriding the SQLite default")
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    parser.set_defaults(handler=serve)


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {
        key: value
        for key, value in {
            "host": args.host,
            "port": args.port,
            "data_dir": args.data_dir,
            "database_url": args.database_url,
        }.items()
        if value is not None
    }
    return Settings(**overrides)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def serve(args: argparse.Namespace) -> int:
    # The server stack loads only for this command, keeping check-config and count light.
    import uvicorn

    from monitor.application import build_application
    from monitor.cli.malloc_tuning import tune_malloc
    from monitor.notify.service import WebhookEnvError

    tune_malloc()
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 1
    settings = settings_from(args)
    application = build_application(config, settings)
    # uvicorn re-raises SIGTERM after its graceful shutdown; with the default handler the
    # process would die there, before `application.stop()` closes the recordings' open
    # segments and flushes the last readings.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        try:
            app = application.start()
        except WebhookEnvError as error:
            print(f"{args.config}: {error}", file=sys.stderr)
            return 1
        print(f"crowd-monitor: http://{settings.host}:{settings.port}/", flush=True)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=settings.host,
                port=settings.port,
                log_level=args.log_level,
                # A client that stopped reading must not hold shutdown forever.
                timeout_graceful_shutdown=5,
            )
        )
        server.run()
    finally:
        application.stop()
    return 0
