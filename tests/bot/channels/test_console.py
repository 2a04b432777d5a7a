"""`brujula chat --jsonl`, the scripted contract used by tests and evaluations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_jsonl(lines: list[str], tmp_path: Path) -> list[dict[str, object]]:
    env = {
        **os.environ,
        "BRUJULA_DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
        "BRUJULA_NLU_URL": "http://127.0.0.1:9",
        "BRUJULA_NLU_TIMEOUT": "0.5",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--jsonl"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_hola_offers_the_language_choices(tmp_path: Path) -> None:
    (out,) = run_jsonl(['{"user": "a", "text": "hola"}'], tmp_path)
    assert out["user"] == "a"
    (reply,) = out["replies"]  # type: ignore[misc]
    assert [c["id"] for c in reply["choices"]][:3] == ["lang:es", "lang:en", "lang:ht"]


def test_state_persists_between_runs_and_users_are_independent(tmp_path: Path) -> None:
    run_jsonl(
        [
            '{"user": "a", "text": "hola"}',
            '{"user": "a", "choice": "lang:en"}',
            '{"user": "a", "choice": "consent:yes"}',
        ],
        tmp_path,
    )
    outs = run_jsonl(
        [
            '{"user": "a", "choice": "topic:shelter"}',
            '{"user": "b", "text": "hola"}',
            '{"user": "a", "location": {"latitude": 20.59, "longitude": -100.39}}',
            "this is not json",
            '{"no_user": 1}',
        ],
        tmp_path,
    )
    assert len(outs) == 5
    assert "shelter" in json.dumps(outs[0]).lower()
    assert [c["id"] for c in outs[1]["replies"][0]["choices"]][:3] == ["lang:es", "lang:en", "lang:ht"]  # type: ignore[index]
    # An unseeded registry: the person is told plainly that nothing was found, nothing invented.
    assert "I found no service for this in the directory yet" in outs[2]["replies"][0]["text"]  # type: ignore[index]
    assert "error" in outs[3] and "error" in outs[4]
