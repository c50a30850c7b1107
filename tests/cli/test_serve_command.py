from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli.main import main
from tests.config.test_loader import write
from tests.support.config import minimal_site


def test_a_webhook_secret_missing_from_the_environment_stops_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DESK_WEBHOOK_SECRET", raising=False)
    hook = {"name": "desk", "url": "https://desk.example/hook", "secret_env": "DESK_WEBHOOK_SECRET"}
    file = write(tmp_path, {"sites": [minimal_site()], "notify": {"webhooks": [hook]}})
    argv = ["serve", "--config", str(file), "--data-dir", str(tmp_path / "data"), "--port", "0"]
    assert main(argv) == 1
    assert capsys.readouterr().err.strip() == (
        f"{file}: notify.webhooks 'desk': environment variable DESK_WEBHOOK_SECRET is not set"
    )
