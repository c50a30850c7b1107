"""Driving the web pages in a real Chromium through Playwright, for the tests in tests/web.

The fixtures (`browser`, `page`, `new_page`) are in tests/web/conftest.py; the pieces here
are the ones the test modules call:

    expect = sync_api().expect          # skips the module when Playwright is missing
    require_web_assets()                # skips when web/node_modules is not installed
    page.goto(server.base_url + "/")
    sign_in(page, "li.wei")
    expect(by_test_id(page, "user-name")).to_have_text("li.wei", timeout=WAIT_MS)

Playwright is only imported through `sync_api()`, so importing this module costs nothing
and the rest of the suite runs without Playwright installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from monitor.application import WEB_DIR
from monitor.auth.roles import Role
from tests.support.api_harness import Api, ApiFactory
from tests.support.auth import PASSWORD, add_user

# Debian's chromium, not a browser Playwright downloads.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The replay page plays its videos without a click first.
    "--autoplay-policy=no-user-gesture-required",
]
# Generous for a loaded 2-core machine; the page itself reacts within a second.
WAIT_MS = 20_000
# Leaflet, from `npm ci` in web/: the live and setup pages do not start without it.
LEAFLET = WEB_DIR / "node_modules" / "leaflet" / "dist" / "leaflet.js"


def sync_api() -> ModuleType:
    """`playwright.sync_api`; skips the caller (a test, or a whole module when called at
    import) when Playwright is not installed."""
    module: ModuleType = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed"
    )
    return module


def require_chromium() -> None:
    """Skips the caller when Debian's chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")


def require_web_assets() -> None:
    """Skips the calling test when the page's JavaScript dependencies are not installed."""
    if not LEAFLET.is_file():
        pytest.skip(f"{LEAFLET} is missing: run `npm ci` in web/ first")


def pages_api(make_api: ApiFactory, users: Mapping[str, Role]) -> Api:
    """The API on the in-test monitor, serving the web pages (the caller skips without
    their JavaScript dependencies), with `users` signed up."""
    require_web_assets()
    api = make_api(web_dir=WEB_DIR)
    for name, role in users.items():
        add_user(api.auth, name, role)
    return api


def open_signed_in(page: Any, api: Api, user: str, site: str) -> None:
    """The live page, signed in as `user`, with `site` selected and live updates on."""
    expect = sync_api().expect
    page.goto(api.server.url(f"/#{site}"))
    sign_in(page, user)
    expect(by_test_id(page, "connection-status")).to_have_attribute(
        "data-state", "live", timeout=WAIT_MS
    )
    expect(by_test_id(page, "site-panel")).to_have_attribute("data-site-id", site)


def by_test_id(page: Any, test_id: str) -> Any:
    return page.locator(f'[data-testid="{test_id}"]')


def sign_in(page: Any, user: str, password: str = PASSWORD, wait_ms: int = WAIT_MS) -> None:
    """Signs in through the page's login form, as a person would: waits for the form (it
    clears the password when it opens), fills it, and waits until it is gone."""
    expect = sync_api().expect
    login = by_test_id(page, "login")
    expect(login).to_be_visible(timeout=wait_ms)
    by_test_id(page, "login-name").fill(user)
    by_test_id(page, "login-password").fill(password)
    by_test_id(page, "login-submit").click()
    expect(login).to_be_hidden(timeout=wait_ms)


# The page's wall clock (Date) set off the real one, as on a workstation whose clock is
# wrong; its monotonic clock (performance.now) and its timers are the real ones.
_SKEWED_DATE = """(() => {
  const skewMs = %r;
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + skewMs);
      else super(...args);
    }
    static now() {
      return RealDate.now() + skewMs;
    }
  }
  globalThis.Date = SkewedDate;
})();"""


def skew_wall_clock(page: Any, seconds: float) -> None:
    """Makes `page`'s Date run `seconds` ahead of the real clock (negative: behind), for
    every document it opens from now on: call it before `page.goto`."""
    page.add_init_script(script=_SKEWED_DATE % (seconds * 1000.0))
