"""A site's set-up view and the watch on it: where the reference comes from and is kept.

The reference is the frame a supervisor saved the region or calibration on, or took on
purpose from the setup page; before either, the first good frame the monitor sees, so
every site is watched from its first minute. It is kept in the store with a digest of the
source it came from: a site pointed at another camera (from the page or in the YAML)
starts afresh instead of flagging the new camera as moved.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Protocol

import cv2
import numpy as np

from monitor.config.quality import ImageQualityConfig
from monitor.density.base import Frame
from monitor.density.crowd_mask import PeopleGrid
from monitor.quality.view import ViewPrint, view_print
from monitor.quality.view_watch import CHECK_EVERY_S, ViewCheck, ViewWatch
from monitor.render.overlay import encode_jpeg
from monitor.store.view_references import ViewReference

log = logging.getLogger(__name__)

SYSTEM_TAKER = "system"
_JPEG_QUALITY = 90  # the corners are found on it again after every restart


class ViewReferenceStore(Protocol):
    def put(self, reference: ViewReference) -> None: ...

    def get(self, site_id: str) -> ViewReference | None: ...

    def delete(self, site_id: str) -> None: ...


def source_digest(source: str) -> str:
    """Which source a reference came from, without keeping its credentials twice."""
    return hashlib.sha256(source.encode()).hexdigest()


class ViewKeeper:
    """Thread-safe: the site loop checks frames while an API thread may take a new view."""

    def __init__(self, site_id: str, store: ViewReferenceStore | None) -> None:
        self._site_id = site_id
        self._store = store  # None: references last as long as the process
        self._lock = threading.Lock()
        self._reference: ViewReference | None = None
        self._watch: ViewWatch | None = None
        self._source = ""
        self._retried_at: float | None = None

    @property
    def reference(self) -> ViewReference | None:
        return self._reference

    def use_source(self, source: str) -> None:
        """The site reads `source` from now on: its stored view if it has one, else none
        until its first good frame."""
        digest = source_digest(source)
        with self._lock:
            if digest == self._source:
                return
            self._source = digest
            self._reference, self._watch = None, None
            stored = self._store.get(self._site_id) if self._store is not None else None
            if stored is None:
                return
            if stored.source_digest != digest:
                log.info("site %s: a new source, so a new set-up view", self._site_id)
                if self._store is not None:
                    self._store.delete(self._site_id)
                return
            decoded = cv2.imdecode(np.frombuffer(stored.jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
            if decoded is None:
                log.warning("site %s: stored set-up view unreadable: a new one", self._site_id)
                return
            image: Frame = np.asarray(decoded, dtype=np.uint8)
            self._reference, self._watch = stored, ViewWatch(view_print(image))

    def check(
        self,
        captured_at: float,
        image: Frame,
        config: ImageQualityConfig,
        people: PeopleGrid | None = None,
    ) -> ViewCheck | None:
        """The view's state after this good (not blank) frame (`people`: its density map);
        the first one becomes the set-up view when there is none."""
        if not config.view_check:
            return None
        watch, reference = self._watch, self._reference
        if watch is None or reference is None:
            self.take(image, captured_at, SYSTEM_TAKER, people=people)
            return None
        if not watch.checkable and reference.taken_by == SYSTEM_TAKER:
            # Taken in the dark or on a bare frame: a better one replaces it, until a
            # supervisor chooses one. Looked for as often as the view is checked.
            last = self._retried_at
            if last is not None and 0 <= captured_at - last < CHECK_EVERY_S:
                return None
            self._retried_at = captured_at
            current = view_print(image, people)
            if current.checkable:
                self.take(image, captured_at, SYSTEM_TAKER, printed=current)
            return None
        return watch.check(captured_at, image, config.view_shift_limit, people)

    def take(
        self,
        image: Frame,
        captured_at: float,
        by: str,
        printed: ViewPrint | None = None,
        people: PeopleGrid | None = None,
    ) -> ViewReference:
        """`image` is the site's set-up view from now on (`printed`: its corners, if known;
        else found away from `people`, its density map)."""
        height, width = image.shape[:2]
        printed = printed if printed is not None else view_print(image, people)
        reference = ViewReference(
            site_id=self._site_id,
            source_digest=self._source,
            captured_at=captured_at,
            taken_at=time.time(),
            taken_by=by,
            width=width,
            height=height,
            corners=len(printed.points),
            jpeg=encode_jpeg(image, quality=_JPEG_QUALITY),
        )
        watch = ViewWatch(printed)
        with self._lock:
            if self._store is not None:
                self._store.put(reference)
            self._reference, self._watch = reference, watch
        log.info("site %s: set-up view taken by %s", self._site_id, by)
        return reference
