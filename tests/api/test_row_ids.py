"""A row id too large for the store is refused as a bad request, not an overflow in the
database driver (schemathesis found one: a 500 from SQLite)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.notify_app import NotifyApp, notify_app

TOO_LARGE = 2**63  # one past the largest BIGINT


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NotifyApp]:
    with notify_app(tmp_path_factory.mktemp("row-ids")) as harness:
        yield harness


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("PUT", "/api/count-samples/{id}/heads", {"heads": []}, id="count-sample"),
        pytest.param("GET", "/api/count-samples/{id}/image.jpg", None, id="count-sample-image"),
        pytest.param("GET", "/api/notifications/deliveries/{id}", None, id="delivery"),
        pytest.param("POST", "/api/notifications/deliveries/{id}/retry", None, id="retry"),
        pytest.param("GET", "/api/recordings/{id}/video", None, id="recording"),
        pytest.param("DELETE", "/api/pins/{id}", None, id="pin"),
    ],
)
def test_a_row_id_past_the_store_is_a_bad_request(
    api: NotifyApp, method: str, path: str, body: dict[str, object] | None
) -> None:
    too_large = api.http.request(method, path.format(id=TOO_LARGE), json=body)
    assert too_large.status_code == 422, too_large.text
    assert "less than or equal to 9223372036854775807" in too_large.text
    largest = api.http.request(method, path.format(id=TOO_LARGE - 1), json=body)
    assert largest.status_code == 404, largest.text  # a fine id; no such row
