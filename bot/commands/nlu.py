"""`brujula nlu`: train, serve and query the Rasa model."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import click

from bot.commands.support import load, maybe_start_nlu


@click.group()
def nlu() -> None:
    """The Rasa NLU model: train, serve, predict."""


@nlu.command("train")
@click.option("--force", is_flag=True, help="Train even if the data did not change.")
def nlu_train(force: bool) -> None:
    """Train the model with `rasa train nlu` if its data or config changed."""
    import subprocess

    from nlu.training import train

    try:
        path, trained = train(force=force)
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        click.echo(f"brujula: training failed: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{'trained' if trained else 'up to date'}: {path}")


@nlu.command("serve")
def nlu_serve() -> None:
    """Serve the trained model with `rasa run --enable-api` (loopback) until Ctrl-C."""
    import time

    settings = load()
    service = maybe_start_nlu(settings)
    if service is None:
        click.echo(f"an NLU service already answers at {settings.nlu_url}")
        return
    click.echo(f"NLU service ready at {service.url}; Ctrl-C to stop.")
    try:
        while service.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()


@nlu.command("predict")
def nlu_predict() -> None:
    """JSON lines {"text": ...} in; intent, confidence, language and entities out."""
    from bot import safety
    from bot.language_id import detect
    from nlu.client import RasaNluClient

    settings = load()
    service = maybe_start_nlu(settings)
    url = service.url if service is not None else settings.nlu_url

    async def go() -> None:
        client = RasaNluClient(url, timeout=30.0)
        try:
            for line in sys.stdin:
                if not line.strip():
                    continue
                try:
                    text = str(json.loads(line).get("text") or "")
                except (json.JSONDecodeError, AttributeError):
                    text = ""
                result: dict[str, Any] = {
                    "text": text,
                    "intent": "out_of_scope",
                    "confidence": 0.0,
                    "language": detect(text),
                    "entities": [],
                }
                if text.strip():
                    parse = await client.parse(text)
                    result["intent"], result["confidence"] = (
                        parse.intent,
                        round(parse.confidence, 4),
                    )
                    result["entities"] = [{"entity": e.entity, "value": e.value} for e in parse.entities]
                if safety.check(text) is not None and result["intent"] != "emergency":
                    result["intent"], result["safety_net"] = "emergency", True
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
                sys.stdout.flush()
        finally:
            await client.aclose()

    try:
        asyncio.run(go())
    finally:
        if service is not None:
            service.stop()
