"""A thin NLU server for the Rasa environment: the same ``POST /model/parse`` and ``GET /status`` as
``rasa run --enable-api``, faster under load.

Run with the Rasa environment's Python (it imports ``rasa``; the app never imports this module)::

    .venv-rasa/bin/python -m nlu.server --model var/models/nlu-….tar.gz --port 5005

What it does differently from stock ``rasa run``:

- **Micro-batching.** Requests that arrive while the model is busy are parsed together in one run
  of Rasa's NLU graph (one graph run per batch instead of per message), on one inference thread,
  while the event loop keeps reading and answering HTTP requests. DIET then predicts the whole
  batch in one TensorFlow call (stock DIET calls TensorFlow once per message, and that call's
  fixed cost dominates a parse). At start-up a self-check parses probe texts one by one and as
  a batch; if the results differ, batched DIET is switched off and the server says so in its log.
- **A cache of recent parses** keyed by the text with its whitespace collapsed (people send the
  same "hola", "ayuda", "gracias" many times). Only the texts are kept, in memory, never on disk.
- **Defined answers for unreadable text** (empty, only emoji or digits, non-Latin scripts):
  ``out_of_scope`` with confidence 0, without running the model; long texts are cut to the first
  1,000 characters (``nlu.textguard``).
- Nothing else: no conversation trackers, no training endpoints, no telemetry. Binds to loopback
  unless an auth token is given (``?token=`` as in Rasa).

Written for Python 3.10 (the Rasa environment).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from nlu.textguard import UNREADABLE_INTENT, clip, readable

log = logging.getLogger("brujula.nlu.server")

MAX_BATCH = 32  # measured: 32 messages per TensorFlow call beat 8 and 64
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ParseCache:
    """A small LRU map from text to parse result; thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> dict[str, Any] | None:
        if self.size <= 0:
            return None
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class BatchParser:
    """Parses texts with a loaded Rasa agent, many at a time, on one inference thread."""

    def __init__(self, agent: Any, *, cache_size: int = 4096, max_batch: int = MAX_BATCH) -> None:
        from rasa.core.channels.channel import UserMessage
        from rasa.shared.core.trackers import DialogueStateTracker

        self._agent = agent
        self._processor = agent.processor
        self._target = self._processor.model_metadata.nlu_target
        self._user_message = UserMessage
        self._tracker = DialogueStateTracker.from_events("brujula-nlu", [])
        self.cache = ParseCache(cache_size)
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[str, asyncio.Future[dict[str, Any]]]] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu-inference")
        self._worker: asyncio.Task[None] | None = None
        self.batches = 0
        self.parsed = 0

    @property
    def model_file(self) -> str:
        return str(self._processor.model_filename)

    @property
    def model_id(self) -> str:
        return str(self._agent.model_id)

    def start(self) -> None:
        self._queue = asyncio.Queue()
        self._worker = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self._executor.shutdown(wait=False)

    def parse_batch(self, texts: list[str]) -> list[dict[str, Any]]:
        """Run the NLU graph once over ``texts`` (blocking); one parse dict per text."""
        messages = [self._user_message(text) for text in texts]
        results = self._processor.graph_runner.run(
            inputs={"__message__": messages, "__tracker__": self._tracker}, targets=[self._target]
        )
        out = []
        for parsed in results[self._target]:
            data: dict[str, Any] = {"text": "", "intent": {"name": None, "confidence": 0.0}, "entities": []}
            data.update(parsed.as_dict(only_output_properties=True))
            out.append(data)
        self.batches += 1
        self.parsed += len(texts)
        return out

    async def parse(self, text: str) -> dict[str, Any]:
        if not readable(text):
            return {
                "text": text,
                "intent": {"name": UNREADABLE_INTENT, "confidence": 0.0},
                "entities": [],
                "intent_ranking": [],
            }
        key = clip(text)
        cached = self.cache.get(key)
        if cached is not None:
            return {**cached, "text": text}
        assert self._queue is not None, "start() first"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        await self._queue.put((key, future))
        result = await future
        return {**result, "text": text}

    async def _run(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            first = await self._queue.get()
            batch = [first]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            texts = list(dict.fromkeys(key for key, _ in batch))
            try:
                parsed = await loop.run_in_executor(self._executor, self.parse_batch, texts)
            except Exception as exc:  # one bad batch must not stop the server
                log.exception("parse failed for a batch of %d", len(texts))
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            by_key = dict(zip(texts, parsed, strict=True))
            for key, result in by_key.items():
                self.cache.put(key, result)
            for key, future in batch:
                if not future.done():
                    future.set_result(by_key[key])


def _slice(value: Any, i: int) -> Any:
    """Row ``i`` of a DIET output (arrays keep their batch axis; nested dicts are sliced too)."""
    if isinstance(value, dict):
        return {k: _slice(v, i) for k, v in value.items()}
    if hasattr(value, "shape") and getattr(value, "ndim", 0) > 0:
        return value[i : i + 1]
    return value


def _batched_diet_process(component: Any, messages: list[Any]) -> list[Any]:
    """``DIETClassifier.process`` with one TensorFlow call for all ``messages``."""
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.shared.nlu.constants import ENTITIES, INTENT

    if len(messages) <= 1 or component.model is None:
        return list(DIETClassifier.process(component, messages))
    model_data = component._create_model_data(messages, training=False)
    if model_data.is_empty():
        return list(DIETClassifier.process(component, messages))
    out = component.model.run_inference(model_data, batch_size=len(messages))
    scores = out.get("i_scores")
    if scores is None or len(scores) != len(messages):
        return list(DIETClassifier.process(component, messages))
    config = component.component_config
    for i, message in enumerate(messages):
        single = _slice(out, i)
        if config["intent_classification"]:
            label, ranking = component._predict_label(single)
            message.set(INTENT, label, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        if config["entity_recognition"]:
            message.set(ENTITIES, component._predict_entities(single, message), add_to_output=True)
    return messages


def enable_batched_diet(agent: Any) -> list[Any]:
    """Point the graph's DIET nodes at the batched prediction; returns the nodes changed."""
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier

    nodes = getattr(agent.processor.graph_runner, "_instantiated_nodes", {})
    changed = []
    for node in nodes.values():
        if (
            type(getattr(node, "_component", None)) is DIETClassifier
            and getattr(node, "_fn_name", "") == "process"
        ):
            node._fn = _batched_diet_process
            changed.append(node)
    return changed


def disable_batched_diet(nodes: list[Any]) -> None:
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier

    for node in nodes:
        node._fn = DIETClassifier.process


def same_parses(a: list[dict[str, Any]], b: list[dict[str, Any]], tolerance: float = 1e-4) -> bool:
    for x, y in zip(a, b, strict=True):
        if x["intent"]["name"] != y["intent"]["name"]:
            return False
        if abs(float(x["intent"]["confidence"]) - float(y["intent"]["confidence"])) > tolerance:
            return False
        if [(e.get("entity"), e.get("value")) for e in x.get("entities") or []] != [
            (e.get("entity"), e.get("value")) for e in y.get("entities") or []
        ]:
            return False
    return True


PROBES = [
    "hola",
    "necesito pedir asilo en la comar de tapachula",
    "kote m ka dòmi aswè a nan tijuana",
    "my son is sick, where is a clinic in monterrey",
    "busco albergue en qro",
    "nos tienen encerrados en una bodega en reynosa, piden dinero",
    "quiero trabajar pero no tengo permiso, hay chamba en saltillo?",
    "mesi anpil",
]


def self_check(parser: BatchParser, nodes: list[Any]) -> bool:
    """Batched DIET must give what DIET gives one message at a time; otherwise switch it off."""
    one_by_one = [parser.parse_batch([text])[0] for text in PROBES]
    try:
        together = parser.parse_batch(PROBES)
        agrees = same_parses(one_by_one, together)
    except Exception as exc:  # a Rasa internal changed: serve one message at a time, not nothing
        log.warning("batched DIET failed its self-check: %s", type(exc).__name__)
        agrees = False
    if not agrees:
        disable_batched_diet(nodes)
    return agrees


def build_app(parser: BatchParser, auth_token: str | None) -> Any:
    from aiohttp import web

    def authorised(request: web.Request) -> bool:
        return auth_token is None or request.query.get("token") == auth_token

    async def parse(request: web.Request) -> web.Response:
        if not authorised(request):
            return web.json_response({"status": "failure", "reason": "NotAuthenticated"}, status=401)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"status": "failure", "reason": "BadRequest"}, status=400)
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            return web.json_response(
                {"status": "failure", "reason": "BadRequest", "message": "No text message defined"},
                status=400,
            )
        try:
            result = await parser.parse(body["text"])
        except Exception:
            return web.json_response({"status": "failure", "reason": "ParsingError"}, status=500)
        return web.json_response(result)

    async def status(request: web.Request) -> web.Response:
        if not authorised(request):
            return web.json_response({"status": "failure", "reason": "NotAuthenticated"}, status=401)
        return web.json_response(
            {
                "model_file": parser.model_file,
                "model_id": parser.model_id,
                "num_active_training_jobs": 0,
                "server": "brujula-thin",
                "cache": {"hits": parser.cache.hits, "misses": parser.cache.misses},
                "batches": parser.batches,
                "parsed": parser.parsed,
            }
        )

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="Brújula NLU (thin Rasa server)")

    async def on_startup(app: web.Application) -> None:
        parser.start()

    async def on_cleanup(app: web.Application) -> None:
        await parser.stop()

    app = web.Application(client_max_size=64 * 1024)
    app.router.add_post("/model/parse", parse)
    app.router.add_get("/status", status)
    app.router.add_get("/", hello)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


def load_agent(model: Path) -> Any:
    from rasa.core.agent import Agent

    return Agent.load(str(model))


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    args.add_argument("--model", required=True, type=Path)
    args.add_argument("--host", default="127.0.0.1")
    args.add_argument("--port", type=int, default=5005)
    args.add_argument("--auth-token", default=os.environ.get("BRUJULA_NLU_TOKEN") or None)
    args.add_argument("--cache", type=int, default=4096, help="parses kept in memory (0: no cache)")
    args.add_argument("--max-batch", type=int, default=MAX_BATCH)
    args.add_argument(
        "--no-batched-diet", dest="batched_diet", action="store_false", help="DIET one message at a time"
    )
    opts = args.parse_args(argv)
    if opts.host not in LOOPBACK and not opts.auth_token:
        print("an auth token is required when listening beyond loopback", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    started = time.perf_counter()
    agent = load_agent(opts.model)
    if not agent.is_ready():
        print(f"could not load the model {opts.model}", file=sys.stderr)
        return 1
    log.info("model loaded in %.1f s", time.perf_counter() - started)
    parser = BatchParser(agent, cache_size=opts.cache, max_batch=opts.max_batch)
    parser.parse_batch(["hola"])  # warm up: the first graph run builds TensorFlow functions
    if opts.batched_diet:
        nodes = enable_batched_diet(agent)
        if nodes and self_check(parser, nodes):
            log.info("batched DIET prediction on (%d node)", len(nodes))
        else:
            log.warning("batched DIET prediction off: self-check failed or no DIET node")

    from aiohttp import web

    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is part of the Rasa environment
        pass
    web.run_app(
        build_app(parser, opts.auth_token), host=opts.host, port=opts.port, access_log=None, print=None
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
