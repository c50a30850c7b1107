"""The whole product, served, with one site fed by a synthetic crowd: what the browser tests
drive. Real application (runtime, store, auth, bus, API) behind a real uvicorn server; only
the camera is the test's (PushedSources + LiveCrowd) and the estimator a blob counter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from monitor.application import Application, build_application
from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from monitor.config.settings import Settings
from tests.support.auth import add_user
from tests.support.blobs import BlobCountEstimator
from tests.support.crowd import LiveCrowd
from tests.support.server import RunningServer, running_server
from tests.support.sources import PushedSources


@dataclass
class LiveDemo:
    server: RunningServer
    application: Application
    sources: PushedSources
    crowd: LiveCrowd


@contextmanager
def live_demo(
    config: AppConfig,
    data_dir: Path,
    users: Mapping[str, Role],
    crowd_site: str,
    people: int = 0,
) -> Iterator[LiveDemo]:
    """Serves `config` with `users` (password tests.support.auth.PASSWORD) while a crowd of
    `people` walks in front of `crowd_site`'s camera; stops everything on exit."""
    sources = PushedSources()
    settings = Settings(data_dir=data_dir, sample_cache=data_dir / "samples")
    application = build_application(
        config, settings, estimator=BlobCountEstimator(), source_factory=sources
    )
    sources.taps = application.frame_taps
    app = application.start()
    crowd = LiveCrowd(sources, crowd_site, people=people)
    try:
        assert application.auth is not None
        for name, role in users.items():
            add_user(application.auth, name, role)
        crowd.start()
        with running_server(app) as server:
            yield LiveDemo(server, application, sources, crowd)
    finally:
        crowd.stop()
        application.stop()
