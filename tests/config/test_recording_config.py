from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from monitor.config.app import AppConfig
from monitor.config.recording import RecordingPolicy, RetentionConfig
from tests.support.config import minimal_site


def test_defaults_record_nothing_and_keep_alerts_longer() -> None:
    config = AppConfig.model_validate({"sites": [minimal_site()]})
    assert config.sites[0].recording.policy is RecordingPolicy.OFF
    assert config.retention.alert_max_age_h >= config.retention.max_age_h


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"recording": {"policy": "sometimes"}}, "policy", id="unknown-policy"),
        pytest.param({"recording": {"segment_s": 1}}, "segment_s", id="segment-too-short"),
        pytest.param({"recording": {"pre_s": 600}}, "pre_s", id="pre-roll-too-long"),
        pytest.param({"recording": {"colour": True}}, "colour", id="unknown-key"),
    ],
)
def test_bad_recording_sections(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AppConfig.model_validate({"sites": [minimal_site(**change)]})


def test_alert_retention_below_ordinary_is_refused() -> None:
    with pytest.raises(ValidationError, match="alert_max_age_h"):
        RetentionConfig(max_age_h=48, alert_max_age_h=24)
