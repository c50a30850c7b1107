from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.cli.main import main
from monitor.config.loader import ConfigError, load_config, parse_config
from tests.conftest import REPO_ROOT
from tests.support.config import deep_merge, minimal_site


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_minimal_config_loads(minimal_config: dict[str, Any], tmp_path: Path) -> None:
    config = load_config(write(tmp_path, minimal_config))
    site = config.site("wuyi-square")
    assert site.name.zh == "五一广场"
    assert site.thresholds.level_names() == ["normal", "elevated", "high"]
    assert config.estimator.name == "default"


def test_shipped_demo_config_is_valid() -> None:
    config = load_config(REPO_ROOT / "configs" / "demo.yaml")
    assert len(config.sites) >= 5
    assert all(site.location.approximate for site in config.sites)


@pytest.mark.parametrize(
    ("site_changes", "path", "reason"),
    [
        pytest.param(
            {"colour": "red"}, "sites.0.colour", "Extra inputs are not permitted", id="unknown-key"
        ),
        pytest.param({"id": "Wuyi Square"}, "sites.0.id", "should match pattern", id="bad-id"),
        pytest.param(
            {"location": {"lat": 128}},
            "sites.0.location.lat",
            "less than or equal to 90",
            id="lat-out-of-range",
        ),
        pytest.param({"analysis_fps": 0}, "sites.0.analysis_fps", "greater than 0", id="zero-fps"),
        pytest.param(
            {"roi": [[0, 0], [10, 10], [20, 20]]}, "sites.0.roi", "no area", id="collinear-roi"
        ),
        pytest.param(
            {"ground": {}}, "sites.0.ground", "give area_m2 or calibration", id="no-ground-scale"
        ),
        pytest.param(
            {"ground": {"calibration": [{"image": [0, 0], "ground": [0, 0]}]}},
            "sites.0.ground.calibration",
            "at least 4 items",
            id="too-few-calibration-points",
        ),
        pytest.param(
            {
                "thresholds": {
                    "levels": [{"name": "elevated", "color": "#f5c542", "enter": 3.0, "exit": 3.5}]
                }
            },
            "sites.0.thresholds.levels.0",
            "exit 3.5 is not below enter 3",
            id="exit-above-enter",
        ),
        pytest.param(
            {
                "thresholds": {
                    "levels": [
                        {"name": "high", "color": "#f08c00", "enter": 4.0, "exit": 3.5},
                        {"name": "elevated", "color": "#f5c542", "enter": 2.0, "exit": 1.5},
                    ]
                }
            },
            "sites.0.thresholds",
            "enter 2 is not above level high enter 4",
            id="levels-not-ascending",
        ),
        pytest.param(
            {
                "thresholds": {
                    "levels": [{"name": "normal", "color": "#f5c542", "enter": 2, "exit": 1}]
                }
            },
            "sites.0.thresholds",
            "'normal' is the implicit level",
            id="normal-listed",
        ),
        pytest.param(
            {"thresholds": {"metric": "people"}},
            "sites.0.thresholds.metric",
            "peak_density",
            id="unknown-metric",
        ),
    ],
)
def test_errors_name_file_path_line_and_reason(
    tmp_path: Path, site_changes: dict[str, Any], path: str, reason: str
) -> None:
    site = minimal_site()
    for key, value in site_changes.items():
        site[key] = (
            deep_merge(site[key], value) if isinstance(site.get(key), dict) and value else value
        )
    file = write(tmp_path, {"sites": [site]})
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    rendered = str(caught.value)
    assert str(file) in rendered
    assert any(p.render(file).split(": ", 2)[1] == path for p in caught.value.problems), rendered
    assert reason in rendered
    problem = next(p for p in caught.value.problems if ".".join(map(str, p.path)) == path)
    assert problem.line is not None
    assert problem.line > 1


def test_duplicate_site_ids_are_refused(tmp_path: Path) -> None:
    file = write(tmp_path, {"sites": [minimal_site(), minimal_site()]})
    with pytest.raises(ConfigError, match="site id 'wuyi-square' is used more than once"):
        load_config(file)


def test_line_number_points_at_the_offending_key(tmp_path: Path) -> None:
    text = (REPO_ROOT / "configs" / "demo.yaml").read_text(encoding="utf-8")
    broken = text.replace("analysis_fps: 2", "analysis_fps: -1", 1)
    expected_line = 1 + broken.splitlines().index(
        next(line for line in broken.splitlines() if "analysis_fps: -1" in line)
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(broken, Path("demo.yaml"))
    assert caught.value.problems[0].line == expected_line


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("sites: [", "not valid YAML", id="yaml-syntax"),
        pytest.param("- just\n- a list\n", "expected a mapping", id="not-a-mapping"),
        pytest.param("sites: []\n", "at least 1 item", id="no-sites"),
    ],
)
def test_malformed_files(text: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        parse_config(text, Path("x.yaml"))


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")


def test_check_config_command(
    tmp_path: Path, minimal_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, minimal_config)
    assert main(["check-config", str(good)]) == 0
    assert "OK, 1 site(s): wuyi-square" in capsys.readouterr().out

    minimal_config["sites"][0]["analysis_fps"] = 99
    bad = write(tmp_path, minimal_config)
    assert main(["check-config", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:" in err
    assert "sites.0.analysis_fps" in err
    assert "less than or equal to 30" in err
