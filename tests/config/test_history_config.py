from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from monitor.config.app import AppConfig
from monitor.config.loader import ConfigError, load_config
from tests.config.test_loader import write
from tests.support.config import minimal_site


def test_defaults_keep_the_readings_of_alerts_longer() -> None:
    history = AppConfig.model_validate({"sites": [minimal_site()]}).history
    assert history.readings_max_age_h == 24 * 30
    assert history.alert_readings_max_age_h >= history.readings_max_age_h


@pytest.mark.parametrize(
    ("history", "path", "reason"),
    [
        pytest.param(
            {"readings_max_age_h": 0}, "history.readings_max_age_h", "greater than 0", id="no-age"
        ),
        pytest.param(
            {"readings_max_age_h": 48, "alert_readings_max_age_h": 24},
            "history",
            "alert_readings_max_age_h 24 is below readings_max_age_h 48",
            id="alerts-kept-shorter",
        ),
        pytest.param(
            {"sweep_interval_s": 1},
            "history.sweep_interval_s",
            "greater than or equal to 10",
            id="sweeping-too-often",
        ),
        pytest.param(
            {"keep_forever": True}, "history.keep_forever", "Extra inputs", id="unknown-key"
        ),
    ],
)
def test_a_bad_history_section_names_file_key_and_reason(
    tmp_path: Path, history: dict[str, Any], path: str, reason: str
) -> None:
    file = write(tmp_path, {"sites": [minimal_site()], "history": history})
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    rendered = str(caught.value)
    assert str(file) in rendered
    assert any(".".join(map(str, p.path)) == path for p in caught.value.problems), rendered
    assert reason in rendered
