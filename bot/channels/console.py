"""The terminal channel: an interactive chat, and the JSON-lines form used by tests and evaluations.

JSON lines contract (``brujula chat --jsonl``):
    in:  {"user": "u1", "text": "hola"} | {"user": "u1", "choice": "<id>"}
         | {"user": "u1", "location": {"latitude": 20.59, "longitude": -100.39}}
    out: {"user": "u1", "replies": [{"text": "...", "choices": [{"id": "...", "label": "..."}]}]}
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from bot.messages import Inbound, Location, Outbound

CHANNEL = "console"

Handler = Callable[[Inbound], Awaitable[list[Outbound]]]


def inbound_from_json(data: Any) -> Inbound | None:
    if not isinstance(data, dict) or not isinstance(data.get("user"), (str, int)):
        return None
    user = str(data["user"])
    if isinstance(data.get("choice"), str):
        return Inbound.from_choice(CHANNEL, user, data["choice"])
    loc = data.get("location")
    if isinstance(loc, dict):
        try:
            return Inbound.from_location(
                CHANNEL, user, Location(float(loc["latitude"]), float(loc["longitude"]))
            )
        except (KeyError, TypeError, ValueError):
            return Inbound.unsupported(CHANNEL, user)
    if isinstance(data.get("text"), str):
        return Inbound.from_text(CHANNEL, user, data["text"])
    return Inbound.unsupported(CHANNEL, user)


async def run_jsonl(handle: Handler, stdin: TextIO, stdout: TextIO) -> int:
    """One JSON line out per line in. A line that is not a JSON object gets an ``error`` line."""
    count = 0
    for line in stdin:
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            data = None
        inbound = inbound_from_json(data)
        if inbound is None:
            out: dict[str, Any] = {"error": "expected a JSON object with a 'user' field"}
        else:
            replies = await handle(inbound)
            out = {"user": inbound.user_id, "replies": [r.to_json() for r in replies]}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
        count += 1
    return count


def render_terminal(reply: Outbound) -> str:
    lines = [reply.text]
    for i, choice in enumerate(reply.choices, 1):
        lines.append(f"  [{i}] {choice.label}")
    if reply.request_location:
        lines.append("  (📍 write 'loc LAT LON' to share a location)")
    return "\n".join(lines)


async def run_terminal(handle: Handler, user: str, read: Callable[[str], str]) -> None:
    """An interactive conversation: type text, a button number, or ``loc LAT LON``."""
    last: list[Outbound] = []
    print("Brújula — type a message; a number picks a button; Ctrl-D to quit.\n")
    while True:
        try:
            line = read("> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        choices = [c for r in last for c in r.choices]
        if line.isdigit() and 1 <= int(line) <= len(choices):
            inbound = Inbound.from_choice(CHANNEL, user, choices[int(line) - 1].id)
        elif line.startswith("loc "):
            try:
                lat, lon = (float(x) for x in line.split()[1:3])
                inbound = Inbound.from_location(CHANNEL, user, Location(lat, lon))
            except ValueError:
                print("  use: loc 20.59 -100.39")
                continue
        else:
            inbound = Inbound.from_text(CHANNEL, user, line)
        last = await handle(inbound)
        for reply in last:
            print(render_terminal(reply) + "\n")
