from __future__ import annotations

from pathlib import Path

import yaml

from monitor.api.routers.config_export import config_yaml
from monitor.config.app import AppConfig
from monitor.config.loader import load_config
from tests.support.config import minimal_site

BOT = "https://oapi.dingtalk.com/robot/send?access_token=0123abcd"


def config() -> AppConfig:
    webhooks = [
        {"name": "duty", "url": BOT, "format": "dingtalk"},
        {"name": "desk", "url_env": "DESK_URL"},
    ]
    return AppConfig.model_validate({"sites": [minimal_site()], "notify": {"webhooks": webhooks}})


def test_an_export_masks_a_webhook_key_unless_secrets_are_asked_for(tmp_path: Path) -> None:
    masked = yaml.safe_load(config_yaml(config(), "exported", include_secrets=False))
    duty, desk = masked["notify"]["webhooks"]
    assert duty["url"] == "https://oapi.dingtalk.com/robot/send?access_token=***"
    assert desk == {"name": "desk", "url_env": "DESK_URL"}
    kept = yaml.safe_load(config_yaml(config(), "exported", include_secrets=True))
    assert kept["notify"]["webhooks"][0]["url"] == BOT
    # The masked file is still one that loads (the key to be filled in again).
    file = tmp_path / "exported.yaml"
    file.write_text(config_yaml(config(), "exported", include_secrets=False))
    assert load_config(file).notify.webhooks[0].name == "duty"
