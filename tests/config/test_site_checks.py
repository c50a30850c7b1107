"""Site-level checks: time zone, exclusion polygons, and `check-config` refusing a view
that cannot run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from monitor.cli.main import main
from monitor.config.site import SiteConfig
from tests.support.config import minimal_site


def test_site_time_zone_must_exist() -> None:
    assert SiteConfig.model_validate(minimal_site()).timezone == "Asia/Shanghai"
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        SiteConfig.model_validate(minimal_site(timezone="Mars/Olympus"))


@pytest.mark.parametrize(
    ("exclude", "message"),
    [
        pytest.param([[[0, 0], [10, 10]]], "3 to 256 points", id="two-points"),
        pytest.param([[[0, 0], [10, 10], [20, 20]]], "exclude 0 polygon has no area", id="flat"),
        pytest.param([[[0, 0], [10, -1], [20, 20]]], "non-negative", id="negative"),
    ],
)
def test_bad_exclusions_are_refused(exclude: list[Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SiteConfig.model_validate(minimal_site(exclude=exclude))


def test_check_config_refuses_a_view_that_cannot_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    above_horizon = minimal_site(
        roi=[[0, 0], [160, 0], [160, 120], [0, 120]],
        ground={
            "calibration": [
                {"image": [0, 60], "ground": [0, 0]},
                {"image": [160, 60], "ground": [10, 0]},
                {"image": [110, 30], "ground": [10, 20]},
                {"image": [50, 30], "ground": [0, 20]},
            ]
        },
    )
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump({"sites": [above_horizon]}), encoding="utf-8")
    assert main(["check-config", str(path)]) == 1
    assert "sites.0.roi: the region reaches above the calibrated horizon" in capsys.readouterr().err
