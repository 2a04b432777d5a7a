"""Where the NLU project, its build, the Rasa environment and the trained models live."""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = HERE / "config.yml"
DATA = HERE / "data"
HELDOUT = HERE / "heldout"
VAR = ROOT / "var"
BUILD = VAR / "nlu" / "build"
MODELS = VAR / "models"
RASA_VENV = Path(os.environ.get("BRUJULA_RASA_VENV", ROOT / ".venv-rasa"))
RASA_BIN = RASA_VENV / "bin" / "rasa"


def rasa_env() -> dict[str, str]:
    """The environment every Rasa process gets: telemetry off, quiet TensorFlow."""
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONWARNINGS="ignore",
    )
    return env
