"""`crowd-monitor user ...` against a real store in a temporary data dir."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from monitor.auth.accounts import Accounts
from monitor.auth.roles import Role
from monitor.auth.service import AuthService
from monitor.cli.main import main
from monitor.store.factory import open_store


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_and_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    where = ["--data-dir", str(tmp_path)]
    added = run(
        ["user", "add", "li", "--role", "operator", "--password-stdin", *where],
        capsys,
        monkeypatch,
        stdin="a long password\n",
    )
    listed = run(["user", "list", *where], capsys, monkeypatch)
    token = run(["user", "token", "li", *where], capsys, monkeypatch)

    assert added == (0, "added li (operator)\n", "")
    assert listed == (0, "li\toperator\n", "")
    assert token[0] == 0
    store = open_store(None, tmp_path)
    try:
        auth = AuthService(Accounts(store.engine))
        assert auth.login("li", "a long password", "cli").user.role is Role.OPERATOR
        credential = auth.authenticate(token[1].strip())
        assert credential is not None
        assert credential.user.name == "li"
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        pytest.param(
            ["user", "add", "li", "--role", "viewer", "--password-stdin"],
            "short\n",
            "at least 8",
            id="weak-password",
        ),
        pytest.param(
            ["user", "add", "l i", "--role", "viewer", "--password-stdin"],
            "long enough pw\n",
            "must be 1-64",
            id="bad-name",
        ),
        pytest.param(["user", "token", "ghost"], "", "no enabled user 'ghost'", id="no-user"),
    ],
)
def test_refusals_exit_non_zero_with_the_reason(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: str,
    message: str,
) -> None:
    code, _, err = run([*args, "--data-dir", str(tmp_path)], capsys, monkeypatch, stdin)
    assert code == 1
    assert message in err


def test_password_is_not_an_argument(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["user", "add", "li", "--role", "viewer", "--password", "x"])
    assert "unrecognized arguments" in capsys.readouterr().err
