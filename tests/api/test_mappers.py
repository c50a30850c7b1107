from __future__ import annotations

import subprocess
import sys

import pytest

from monitor.api import mappers
from monitor.bus import convert
from monitor.config.thresholds import ThresholdsConfig
from monitor.store.base import ThresholdChange
from tests.store.builders import thresholds
from tests.support.fake_monitor import default_thresholds


@pytest.mark.parametrize(
    "old",
    [pytest.param(None, id="first-change"), pytest.param(default_thresholds(), id="later-change")],
)
def test_threshold_change_public(old: ThresholdsConfig | None) -> None:
    new = thresholds(enter=3.0)
    change = ThresholdChange("gate-a", at=12.5, changed_by="li", old=old, new=new)

    public = mappers.threshold_change_public(change)

    assert public.at == 12.5
    assert public.changed_by == "li"
    assert public.new == convert.thresholds_public(new)
    assert public.old == (convert.thresholds_public(old) if old is not None else None)


def test_mappers_load_without_fastapi() -> None:
    # The pipeline imports the mappers; they must not drag the web framework in.
    code = "import sys, monitor.api.mappers; sys.exit('fastapi' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
