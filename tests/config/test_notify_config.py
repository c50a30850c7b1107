from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from monitor.cli.main import main
from monitor.config.app import AppConfig
from monitor.config.loader import ConfigError, load_config
from monitor.config.notify import DEFAULT_KINDS
from tests.config.test_loader import write
from tests.support.config import minimal_site

HOOK = {"name": "desk", "url": "https://desk.example/hook"}


def test_by_default_nobody_is_told_and_a_webhook_hears_the_alert_steps_that_matter() -> None:
    notify = AppConfig.model_validate({"sites": [minimal_site()]}).notify
    assert notify.webhooks == []
    hooked = AppConfig.model_validate({"sites": [minimal_site()], "notify": {"webhooks": [HOOK]}})
    [webhook] = hooked.notify.webhooks
    assert webhook.events == list(DEFAULT_KINDS)
    assert (webhook.sites, webhook.levels, webhook.secret_env) == ([], [], None)
    assert hooked.notify.webhook("desk") is webhook


def test_levels_of_a_schedule_count_as_levels() -> None:
    site = minimal_site(
        thresholds={
            "schedules": [
                {
                    "name": "holiday",
                    "days": ["sat"],
                    "start": "18:00",
                    "end": "23:00",
                    "levels": [
                        {"name": "holiday-crush", "color": "#ff0000", "enter": 3, "exit": 2}
                    ],
                }
            ]
        }
    )
    webhook = HOOK | {"levels": ["holiday-crush", "high"]}
    config = AppConfig.model_validate({"sites": [site], "notify": {"webhooks": [webhook]}})
    assert config.notify.webhooks[0].levels == ["holiday-crush", "high"]


@pytest.mark.parametrize(
    ("notify", "path", "reason"),
    [
        pytest.param(
            {"webhooks": [HOOK | {"url": "ftp://desk.example/"}]},
            "notify.webhooks.0.url",
            "URL scheme should be 'http' or 'https'",
            id="not-http",
        ),
        pytest.param(
            {"webhooks": [HOOK | {"events": ["raised", "exploded"]}]},
            "notify.webhooks.0.events.1",
            "Input should be 'raised'",
            id="unknown-event",
        ),
        pytest.param(
            {"webhooks": [HOOK | {"events": ["raised", "raised"]}]},
            "notify.webhooks.0.events",
            "'raised' is listed more than once",
            id="repeated-event",
        ),
        pytest.param(
            {"webhooks": [HOOK | {"secret_env": "MY SECRET"}]},
            "notify.webhooks.0.secret_env",
            "should match pattern",
            id="bad-env-name",
        ),
        pytest.param(
            {"webhooks": [HOOK | {"secret": "whsec_abc"}]},
            "notify.webhooks.0.secret",
            "Extra inputs",
            id="secret-in-the-file",
        ),
        pytest.param(
            {"webhooks": [HOOK, HOOK]},
            "notify",
            "webhook name 'desk' is used more than once",
            id="repeated-name",
        ),
        pytest.param(
            {"webhooks": [HOOK | {"sites": ["wuyi-sqare"]}]},
            "",
            "notify.webhooks[0].sites: no site 'wuyi-sqare' (sites: wuyi-square)",
            id="misspelt-site",
        ),
        pytest.param(
            {"webhooks": [HOOK | {"levels": ["dangerous"]}]},
            "",
            "notify.webhooks[0].levels: no site has a level 'dangerous' (levels: elevated, high)",
            id="misspelt-level",
        ),
        pytest.param(
            {"webhooks": [HOOK | {"url_env": "DESK_URL"}]},
            "notify.webhooks.0",
            "give the address as either url or url_env (one of them)",
            id="url-twice",
        ),
        pytest.param(
            {"webhooks": [{"name": "desk"}]},
            "notify.webhooks.0",
            "give the address as either url or url_env (one of them)",
            id="no-url",
        ),
        pytest.param(
            {"webhooks": [{"name": "g", "url_env": "U", "format": "wecom", "secret_env": "S"}]},
            "notify.webhooks.0",
            "wecom webhooks are not signed (their key is in the URL)",
            id="signed-wecom",
        ),
        pytest.param(
            {"webhooks": [HOOK | {"format": "teams"}]},
            "notify.webhooks.0.format",
            "Input should be 'standard', 'slack', 'wecom', 'dingtalk' or 'feishu'",
            id="unknown-format",
        ),
        pytest.param(
            {"give_up_after_s": 1},
            "notify.give_up_after_s",
            "greater than or equal to 10",
            id="giving-up-too-soon",
        ),
    ],
)
def test_a_bad_notify_section_names_file_key_and_reason(
    tmp_path: Path, notify: dict[str, Any], path: str, reason: str
) -> None:
    file = write(tmp_path, {"sites": [minimal_site()], "notify": notify})
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    rendered = str(caught.value)
    assert str(file) in rendered
    assert any(".".join(map(str, p.path)) == path for p in caught.value.problems), rendered
    assert reason in rendered


def test_check_config_says_when_a_webhook_secret_is_missing_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = {
        "name": "desk",
        "url_env": "DESK_URL",
        "secret_env": "DESK_SECRET",
        "authorization_env": "DESK_KEY",
    }
    file = write(tmp_path, {"sites": [minimal_site()], "notify": {"webhooks": [hook]}})
    monkeypatch.setenv("DESK_SECRET", "whsec_abc")
    monkeypatch.delenv("DESK_KEY", raising=False)
    monkeypatch.delenv("DESK_URL", raising=False)
    assert main(["check-config", str(file)]) == 1
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"  {file}: notify.webhooks.0.{key}: environment variable {name} is not set here "
        "(serve would refuse to start)"
        for key, name in [("url_env", "DESK_URL"), ("authorization_env", "DESK_KEY")]
    ]
    monkeypatch.setenv("DESK_KEY", "Bearer k")
    monkeypatch.setenv("DESK_URL", "https://desk.example/hook")
    assert main(["check-config", str(file)]) == 0
