"""A camera for browser tests: pushes frames of `people` squares a few times a second."""

from __future__ import annotations

import threading
import time

from tests.support.blobs import scene
from tests.support.sources import PushedSources


class LiveCrowd:
    """Set `people` to change the crowd. Looks the site's source up on every frame, so it
    follows the runtime when a setup change replaces the source."""

    def __init__(self, sources: PushedSources, site_id: str, people: int = 0) -> None:
        self.sources = sources
        self.site_id = site_id
        self.people = people
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"crowd-{site_id}", daemon=True)

    def start(self) -> None:
        self.sources.by_site[self.site_id].report("online", "test camera")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sources.by_site[self.site_id].push(scene(self.people), captured_at=time.time())
            self._stop.wait(0.2)
