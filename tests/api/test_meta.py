from __future__ import annotations

from monitor.config.app import MapConfig
from tests.support.api_harness import Api, ApiFactory


def test_healthz(api: Api) -> None:
    response = api.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_page_config_is_the_map_config(make_api: ApiFactory) -> None:
    map_config = MapConfig(
        center=(22.3, 114.17), zoom=12, tile_url="https://t/{z}/{x}/{y}.png", tile_attribution="©"
    )
    api = make_api(map_config=map_config)

    response = api.http.get("/api/config")

    assert response.status_code == 200
    assert response.json() == {
        "center": [22.3, 114.17],
        "zoom": 12,
        "tile_url": "https://t/{z}/{x}/{y}.png",
        "tile_attribution": "©",
    }
