"""How the NLU service is started: stock `rasa run` or the thin server, loopback unless a token."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.paths import ROOT
from nlu.service import RasaService

MODEL = Path("/models/nlu-x.tar.gz")


def test_stock_rasa_command() -> None:
    cmd = RasaService(MODEL, port=5111).command()
    assert cmd[1:3] == ["run", "--enable-api"]
    assert cmd[cmd.index("-m") + 1] == str(MODEL) and cmd[cmd.index("-p") + 1] == "5111"
    assert "--auth-token" not in cmd


def test_thin_server_command_and_import_path() -> None:
    service = RasaService(MODEL, port=5112, server="thin")
    cmd = service.command()
    assert cmd[1:3] == ["-m", "nlu.server"] and cmd[0].endswith("/bin/python")
    assert cmd[cmd.index("--model") + 1] == str(MODEL)
    env = service.environment()
    assert env["PYTHONPATH"].split(":")[0] == str(ROOT)
    assert env["RASA_TELEMETRY_ENABLED"] == "false"


@pytest.mark.parametrize("server", ["rasa", "thin"])
def test_beyond_loopback_needs_a_token(server: str) -> None:
    with pytest.raises(ValueError, match="auth token"):
        RasaService(MODEL, host="0.0.0.0", server=server).command()  # type: ignore[arg-type]  # noqa: S104
    cmd = RasaService(MODEL, host="0.0.0.0", auth_token="t0k", server=server).command()  # type: ignore[arg-type]  # noqa: S104
    assert cmd[cmd.index("--auth-token") + 1] == "t0k"


def test_unknown_server_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown NLU server"):
        RasaService(MODEL, server="uvicorn")  # type: ignore[arg-type]
