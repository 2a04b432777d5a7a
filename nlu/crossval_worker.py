"""Inside the Rasa environment: train one fold's model in-process and parse its test messages.

Run by ``nlu.crossval`` as ``.venv-rasa/bin/python -m nlu.crossval_worker CONFIG DATA_DIR TESTS OUT``:
trains ``rasa train nlu`` on ``DATA_DIR`` with ``CONFIG`` into a temporary directory, loads the
model with Rasa's ``Agent``, parses every text of ``TESTS`` (a JSON list of strings) and writes
``OUT`` (JSON: training seconds, load seconds, per-message parse seconds and predictions).

This module imports ``rasa`` and is never imported by the app.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _prediction(parsed: dict[str, Any]) -> dict[str, Any]:
    intent = parsed.get("intent") or {}
    return {
        "intent": intent.get("name") or "out_of_scope",
        "confidence": float(intent.get("confidence") or 0.0),
        "ranking": [
            [r.get("name"), float(r.get("confidence") or 0.0)]
            for r in (parsed.get("intent_ranking") or [])[:5]
        ],
        "entities": [
            [e.get("entity"), str(e.get("value"))] for e in parsed.get("entities") or [] if e.get("entity")
        ],
    }


async def _parse_all(model: Path, texts: list[str]) -> tuple[float, list[float], list[dict[str, Any]]]:
    from rasa.core.agent import Agent

    started = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - started
    seconds: list[float] = []
    predictions: list[dict[str, Any]] = []
    for text in texts:
        t0 = time.perf_counter()
        parsed = await agent.parse_message(text)
        seconds.append(time.perf_counter() - t0)
        predictions.append(_prediction(parsed))
    return load_seconds, seconds, predictions


def main(argv: list[str]) -> int:
    config, data, tests, out = (Path(a) for a in argv)
    from rasa.model_training import train_nlu

    texts = [str(t) for t in json.loads(tests.read_text(encoding="utf-8"))]
    with tempfile.TemporaryDirectory(prefix="brujula-cv-") as tmp:
        started = time.perf_counter()
        model = train_nlu(str(config), str(data), tmp, fixed_model_name="fold")
        train_seconds = time.perf_counter() - started
        if not model:
            print("training produced no model", file=sys.stderr)
            return 1
        load_seconds, parse_seconds, predictions = asyncio.run(_parse_all(Path(model), texts))
    out.write_text(
        json.dumps(
            {
                "train_seconds": train_seconds,
                "load_seconds": load_seconds,
                "parse_seconds": parse_seconds,
                "predictions": predictions,
            }
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
