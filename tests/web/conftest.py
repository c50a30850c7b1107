"""Fixtures for the browser tests: one Chromium per module, and pages in fresh
contexts (their own cookies, so their own sessions) that fail the test on an uncaught
error in the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, sync_api

VIEWPORT = {"width": 1600, "height": 1000}


# Per module, not per session: while Playwright's sync API is open it marks its event loop
# as running in the main thread, so a later non-browser test's `asyncio.run()` would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    with sync_api().sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[[], Any]]:
    """Makes pages, each in a context of its own; at teardown, fails the test if any of
    them, or a page they opened (a link to a new tab), had an uncaught error."""
    contexts: list[Any] = []
    watched: list[Any] = []
    errors: list[str] = []

    def watch(page: Any) -> None:
        if page not in watched:
            watched.append(page)
            page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

    def make() -> Any:
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        context.on("page", watch)
        page = context.new_page()
        watch(page)
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    return new_page()
