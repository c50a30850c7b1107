"""The real application with a webhook pointed at a real receiver, for the notification
API and end-to-end tests. The site's camera is pushed by the test (`LiveCrowd`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from monitor.application import Application, build_application
from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from monitor.config.settings import Settings
from tests.support.auth import api_token, bearer
from tests.support.blobs import BlobCountEstimator
from tests.support.config import minimal_site
from tests.support.crowd import LiveCrowd
from tests.support.receiver import Receiver
from tests.support.server import RunningServer, running_server
from tests.support.sources import PushedSources

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@dataclass
class NotifyApp:
    application: Application
    server: RunningServer
    receiver: Receiver
    crowd: LiveCrowd
    sources: PushedSources
    http: httpx.Client  # as a supervisor

    def as_role(self, role: Role) -> dict[str, str]:
        assert self.application.auth is not None
        return bearer(api_token(self.application.auth, f"{role.value}-user", role))


def alerting_site(**changes: Any) -> dict[str, Any]:
    return minimal_site(
        roi=[[0, 0], [160, 0], [160, 120], [0, 120]],
        thresholds={
            "metric": "count",
            "min_duration_s": 0.3,
            "cooldown_s": 0,
            "levels": [{"name": "elevated", "color": "#f5c542", "enter": 4, "exit": 2}],
        },
        **changes,
    )


@contextmanager
def notify_app(
    tmp_path: Path,
    *,
    events: list[str] | None = None,
    site: dict[str, Any] | None = None,
    **notify: Any,
) -> Iterator[NotifyApp]:
    """`events`: what the desk is told (None: the default list); `site`: changes to the
    site's config; the rest: the notify section's settings."""
    receiver = Receiver()
    with ExitStack() as stack:
        hook_server = stack.enter_context(running_server(receiver.app))
        webhook: dict[str, Any] = {
            "name": "desk",
            "url": hook_server.url("/hook?key=abc"),
            "secret_env": "DESK",
        }
        if events is not None:
            webhook["events"] = events
        config = AppConfig.model_validate(
            {
                "sites": [alerting_site(**(site or {}))],
                "notify": {"webhooks": [webhook], "camera_offline_after_s": 0, **notify},
            }
        )
        sources = PushedSources()
        application = build_application(
            config,
            Settings(data_dir=tmp_path / "data", sample_cache=tmp_path / "cache"),
            estimator=BlobCountEstimator(),
            source_factory=sources,
        )
        application.environ = {"DESK": SECRET}
        app = application.start()
        stack.callback(application.stop)
        server = stack.enter_context(running_server(app))
        crowd = LiveCrowd(sources, "wuyi-square")
        crowd.start()
        stack.callback(crowd.stop)
        harness = NotifyApp(application, server, receiver, crowd, sources, httpx.Client())
        harness.http = stack.enter_context(
            httpx.Client(base_url=server.base_url, headers=harness.as_role(Role.SUPERVISOR))
        )
        yield harness
