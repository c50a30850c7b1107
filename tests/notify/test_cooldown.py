from __future__ import annotations

import pytest

from monitor.notify.cooldown import Cooldown


@pytest.mark.parametrize(
    ("times", "allowed"),
    [
        pytest.param([0.0], [True], id="first"),
        pytest.param([0.0, 599.0], [True, False], id="inside"),
        pytest.param([0.0, 600.0], [True, True], id="at-the-end"),
        # A refused time does not restart the cooldown: it runs from the last one allowed.
        pytest.param([0.0, 500.0, 650.0], [True, False, True], id="from-the-last-allowed"),
    ],
)
def test_a_key_is_allowed_once_per_cooldown(times: list[float], allowed: list[bool]) -> None:
    cooldown = Cooldown(600.0)
    assert [cooldown.allow("wuyi", at) for at in times] == allowed


def test_keys_cool_down_apart() -> None:
    cooldown = Cooldown(600.0)
    assert cooldown.allow(("wuyi", "high"), 0.0)
    assert cooldown.allow(("wuyi", "critical"), 1.0)
    assert not cooldown.allow(("wuyi", "high"), 2.0)


def test_a_negative_cooldown_is_refused() -> None:
    with pytest.raises(ValueError, match="cooldown_s"):
        Cooldown(-1.0)
