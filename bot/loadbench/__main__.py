"""``python -m bot.loadbench``: a surge of people against the whole stack, on loopback.

In one run:

1. the stock ``rasa run --enable-api`` parse throughput (``nlu.bench.measure``, 32 clients),
   alone on the machine, so the ratio to the end-to-end throughput is visible;
2. the stack: a throwaway PostgreSQL, the thin NLU server with the trained model, ``--workers``
   ``brujula serve`` processes (Telegram webhook + WhatsApp) on their own ports, and this process
   as the load generator with the fake Telegram and Graph APIs (``fake_apis``);
3. the surge: new people start at ``rate / turns`` per second for ``warmup + duration`` seconds;
   each plays a script (``scripts``) on Telegram or WhatsApp, sending a turn, waiting for the
   first reply, then thinking 0.5–1.5 s. Telegram updates carry the webhook secret; WhatsApp
   webhooks are signed (``X-Hub-Signature-256``). A webhook that gets no ``200`` is sent again,
   to another worker, as the channels do (their retries, a proxy's failover);
4. ``--kill``: half-way through, one worker is killed with ``kill -9`` and restarted 3 s later;
5. the drain: once every conversation ended, late replies are awaited for ``lease + 10`` s.

Reported: messages/s in the measured window (turns whose first reply arrived, webhook sent in
the window), p50/p95/p99 from webhook sent to first reply at the fake API, webhook errors and
retries, lost and duplicated replies (each person's replies against the most common reply set of
people who played the same script on the same channel), turns never answered, and the peak
resident memory per process. Bounded: every loop stops by count or by time.
Results: ``reports/bench-load.md`` and ``reports/bench-load.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import uvicorn
import uvloop

from bot.loadbench.fake_apis import ReplyRecorder
from bot.loadbench.postgres import ThrowawayPostgres
from bot.loadbench.scripts import SCRIPTS, Step
from bot.loadbench.stack import BRUJULA, Worker, cpu_seconds, memory_mb
from bot.loadbench.webhooks import APP_SECRET, PHONE_ID, TG_SECRET, TOKEN, Channels
from bot.settings import ROOT
from nlu.bench import machine, percentile
from nlu.service import RasaService, free_port

REPORTS = ROOT / "reports"
LOGS = ROOT / "var" / "log" / "bench-load"


@dataclass
class Turn:
    script: str
    channel: str
    sent: float  # monotonic: first attempt of the webhook
    attempts: int = 1
    first_reply: float | None = None
    delivered: bool = False  # some worker answered 200
    accepted: float | None = None  # monotonic: when the 200 came


@dataclass
class Person:
    channel: str
    address: str
    script: str
    replies: list[tuple[float, str]] = field(default_factory=list)
    new: asyncio.Event = field(default_factory=asyncio.Event)
    finished: bool = False
    turns: list[Turn] = field(default_factory=list)


@dataclass
class Figures:
    offered_rate: float
    duration_s: float
    warmup_s: float
    workers: int
    people: int = 0
    turns_sent: int = 0
    turns_in_window: int = 0
    answered_in_window: int = 0
    messages_per_s: float = 0.0
    # turns whose first reply arrived in the window, per second: what the stack completed then (the
    # figure above also counts turns sent in the window and answered after it: a backlog)
    completed_per_s: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    p95_ms_outside_kill: float = 0.0
    by_channel: dict[str, dict[str, float]] = field(default_factory=dict)
    webhook_200_p50_ms: float = 0.0
    generator_lag_p95_ms: float = 0.0  # this process's event loop: is the generator itself the limit?
    generator_lag_max_ms: float = 0.0
    webhook_200_p95_ms: float = 0.0
    webhook_retries: int = 0
    webhook_failures: int = 0  # never got a 200 within the bound
    turns_unanswered: int = 0  # no reply at all, even after the inbox drained
    inbox_pending_at_end: int = 0
    lost_replies: int = 0
    duplicated_replies: int = 0
    # of those, people none of whose turns were sent within reach of the kill (-1: no kill)
    lost_outside_kill: int = -1
    duplicated_outside_kill: int = -1
    people_incomplete: int = 0
    replies_recorded: int = 0
    kill: dict[str, Any] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    peak_pss_mb: dict[str, float] = field(default_factory=dict)
    peak_stack_pss_mb: float = 0.0
    cpu_ms_per_answered_turn: dict[str, float] = field(default_factory=dict)  # the whole surge
    machine_busy_percent: float = 0.0  # all processes, ours and others', during the surge
    stock_rasa: dict[str, Any] = field(default_factory=dict)
    thin_ratio: float = 0.0
    notes: list[str] = field(default_factory=list)


# -- the surge -------------------------------------------------------------------------------------


class Surge:
    def __init__(self, args: argparse.Namespace, workers: list[Worker], db_url: str) -> None:
        self.args = args
        self.db_url = db_url
        self.pending_at_end = -1
        self.workers = workers
        self.people: dict[tuple[str, str], Person] = {}
        self.turns: list[Turn] = []
        self.channels = Channels()
        self.rr = itertools.count()
        self.failures = 0
        self.kill: dict[str, Any] = {}
        self.t0 = 0.0
        self.replies = 0
        self.lags: list[float] = []

    async def lag_monitor(self, stop: asyncio.Event) -> None:
        """How late this event loop wakes up from a 50 ms sleep (a busy generator measures late)."""
        for _ in range(1_000_000):  # bounded; stopped by ``stop`` long before
            if stop.is_set():
                return
            before = time.monotonic()
            await asyncio.sleep(0.05)
            self.lags.append((time.monotonic() - before - 0.05) * 1000)

    def on_reply(self, channel: str, address: str, key: str) -> None:
        self.replies += 1
        person = self.people.get((channel, address))
        if person is not None:
            person.replies.append((time.monotonic(), key))
            person.new.set()

    async def post(
        self, client: aiohttp.ClientSession, turn: Turn, path: str, body: bytes, headers: dict[str, str]
    ) -> None:
        """Send until some worker answers 200 (as the channels retry), within a bound."""
        deadline = time.monotonic() + self.args.retry_for
        delay = 0.25
        while True:
            worker = self.workers[next(self.rr) % len(self.workers)]
            try:
                async with client.post(f"{worker.url}{path}", data=body, headers=headers) as response:
                    await response.read()
                    if response.status == 200:
                        turn.delivered = True
                        turn.accepted = time.monotonic()
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            if time.monotonic() + delay > deadline:
                self.failures += 1
                return
            turn.attempts += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def converse(
        self, client: aiohttp.ClientSession, person: Person, steps: list[Step], end: float
    ) -> None:
        for step in steps:
            if time.monotonic() > end:
                return
            if person.channel == "telegram":
                path, body, headers = self.channels.telegram(person.address, step)
            else:
                path, body, headers = self.channels.whatsapp(person.address, step)
            before = len(person.replies)
            turn = Turn(person.script, person.channel, time.monotonic())
            self.turns.append(turn)
            person.turns.append(turn)
            person.new.clear()
            await self.post(client, turn, path, body, headers)
            wait_until = min(end, turn.sent + self.args.turn_timeout)
            while len(person.replies) == before and time.monotonic() < wait_until:
                person.new.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        person.new.wait(), timeout=max(0.01, wait_until - time.monotonic())
                    )
            if len(person.replies) > before:
                turn.first_reply = person.replies[before][0]
            await asyncio.sleep(random.uniform(0.5, 1.5))  # reading, thinking, typing
        person.finished = True

    async def killer(self) -> None:
        at = self.args.warmup + self.args.duration / 2
        await asyncio.sleep(max(0.0, self.t0 + at - time.monotonic()))
        victim = self.workers[-1]
        self.kill = {"worker": victim.name, "at_s": round(time.monotonic() - self.t0, 1)}
        victim.kill()
        await asyncio.sleep(3.0)
        started = time.monotonic()
        await asyncio.to_thread(victim.start)
        self.kill["restarted_after_s"] = round(time.monotonic() - started + 3.0, 1)
        self.kill["healthy_again_at_s"] = round(time.monotonic() - self.t0, 1)

    async def run(self) -> None:
        args = self.args
        turns = sum(len(s) for s in SCRIPTS.values()) / len(SCRIPTS)
        people_per_s = args.rate / turns
        # aiohttp (C HTTP parser) rather than httpx: the generator shares the two cores with the
        # stack it measures
        connector = aiohttp.TCPConnector(limit=128)
        timeout = aiohttp.ClientTimeout(total=30.0, connect=5.0)
        scripts = sorted(SCRIPTS)
        rng = random.Random(9)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
            self.t0 = time.monotonic()
            launch_for = args.warmup + args.duration
            end = self.t0 + launch_for + args.drain
            tasks: list[asyncio.Task[None]] = []
            killer = asyncio.create_task(self.killer()) if args.kill else None
            lag_stop = asyncio.Event()
            lag = asyncio.create_task(self.lag_monitor(lag_stop))
            for n in range(args.max_people):  # bounded in count…
                due = self.t0 + n / people_per_s
                if due - self.t0 > launch_for:  # …and in time
                    break
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                script = scripts[n % len(scripts)]
                channel = "telegram" if rng.random() < 0.5 else "whatsapp"
                address = str(2_000_000_000 + n) if channel == "telegram" else f"5215{n:08d}"
                person = Person(channel, address, script)
                self.people[(channel, address)] = person
                tasks.append(asyncio.create_task(self.converse(client, person, SCRIPTS[script], end)))
            _, late = await asyncio.wait(tasks, timeout=max(1.0, end - time.monotonic()))
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            lag_stop.set()
            await lag
            if killer is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(killer, timeout=120)
            # Late replies (a message recovered by the sweep, a duplicate) still count: wait until
            # the inbox has nothing pending (bounded), then a moment for the last sends.
            self.pending_at_end = await self.inbox_drained(
                time.monotonic() + max(args.drain, args.lease + 20)
            )
            await asyncio.sleep(3.0)

    async def inbox_drained(self, deadline: float) -> int:
        """Wait until no message is pending in the inbox or ``deadline``; how many are left."""
        from sqlalchemy import text

        from bot.db import make_engine

        engine = make_engine(self.db_url)
        try:
            left = -1
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    left = int(
                        conn.execute(
                            text("SELECT count(*) FROM inbox_message WHERE state <> 'done'")
                        ).scalar_one()
                    )
                if left == 0:
                    break
                await asyncio.sleep(1.0)
            return left
        finally:
            engine.dispose()

    def kill_reach(self) -> tuple[float, float] | None:
        """When a turn could be affected by the kill: sent from a lease (plus margin) before it
        until the killed worker's people were taken over (a lease, the sweep, a margin) after it."""
        if not self.kill:
            return None
        at = self.t0 + self.kill["at_s"]
        return at - self.args.lease - 5, at + self.args.lease + 15

    def figures(self, figures: Figures) -> None:
        args = self.args
        w0, w1 = self.t0 + args.warmup, self.t0 + args.warmup + args.duration
        window = [t for t in self.turns if w0 <= t.sent < w1]
        answered = [t for t in window if t.first_reply is not None]
        latencies = [(t.first_reply - t.sent) * 1000 for t in answered if t.first_reply is not None]
        figures.people = len(self.people)
        figures.turns_sent = len(self.turns)
        figures.turns_in_window = len(window)
        figures.answered_in_window = len(answered)
        figures.messages_per_s = round(len(answered) / args.duration, 1)
        completed = [t for t in self.turns if t.first_reply is not None and w0 <= t.first_reply < w1]
        figures.completed_per_s = round(len(completed) / args.duration, 1)
        figures.p50_ms = round(percentile(latencies, 50), 1)
        figures.p95_ms = round(percentile(latencies, 95), 1)
        figures.p99_ms = round(percentile(latencies, 99), 1)
        figures.max_ms = round(max(latencies, default=0.0), 1)
        for channel in ("telegram", "whatsapp"):
            mine = [
                (t.first_reply - t.sent) * 1000 for t in answered if t.channel == channel and t.first_reply
            ]
            figures.by_channel[channel] = {
                "answered_in_window": len(mine),
                "p50_ms": round(percentile(mine, 50), 1),
                "p95_ms": round(percentile(mine, 95), 1),
            }
        stored = [(t.accepted - t.sent) * 1000 for t in window if t.accepted is not None]
        figures.webhook_200_p50_ms = round(percentile(stored, 50), 1)
        figures.webhook_200_p95_ms = round(percentile(stored, 95), 1)
        figures.generator_lag_p95_ms = round(percentile(self.lags, 95), 1)
        figures.generator_lag_max_ms = round(max(self.lags, default=0.0), 1)
        reach = self.kill_reach()
        if reach is not None:
            k0, k1 = reach
            calm = [
                (t.first_reply - t.sent) * 1000 for t in answered if t.first_reply and not k0 <= t.sent < k1
            ]
            figures.p95_ms_outside_kill = round(percentile(calm, 95), 1)
        figures.webhook_retries = sum(t.attempts - 1 for t in self.turns)
        figures.webhook_failures = self.failures
        # A turn is answered when a reply came after it and before the person's next turn
        # (also after the person stopped waiting: the inbox drained before this count).
        # Only turns some worker accepted (a 200): a webhook still in flight when the run's time
        # bound cancelled its person was never the stack's to answer.
        unanswered = 0
        for p in self.people.values():
            for i, turn in enumerate(p.turns):
                until = p.turns[i + 1].sent if i + 1 < len(p.turns) else float("inf")
                unanswered += turn.delivered and not any(turn.sent <= at < until for at, _ in p.replies)
        figures.turns_unanswered = unanswered
        figures.inbox_pending_at_end = self.pending_at_end
        figures.replies_recorded = self.replies
        figures.kill = self.kill
        # Lost and duplicated replies: each person's replies against the most common reply set
        # of the people who finished the same script on the same channel.
        done = [p for p in self.people.values() if p.finished]
        figures.people_incomplete = len(self.people) - len(done)
        groups: dict[tuple[str, str], list[Person]] = {}
        for p in done:
            groups.setdefault((p.script, p.channel), []).append(p)
        if reach is not None:
            figures.lost_outside_kill = figures.duplicated_outside_kill = 0
        for members in groups.values():
            sets = Counter(frozenset(Counter(k for _, k in p.replies).items()) for p in members)
            reference = Counter(dict(sets.most_common(1)[0][0]))
            for p in members:
                got = Counter(k for _, k in p.replies)
                lost, extra = sum((reference - got).values()), sum((got - reference).values())
                figures.lost_replies += lost
                figures.duplicated_replies += extra
                if reach is not None and not any(reach[0] <= t.sent < reach[1] for t in p.turns):
                    figures.lost_outside_kill += lost
                    figures.duplicated_outside_kill += extra


GENERATOR = "load generator + fake APIs"


async def sample_memory(
    pids: dict[str, Any], peaks: dict[str, list[float]], totals: list[float], stop: asyncio.Event
) -> None:
    """Every second: RSS and PSS of each process tree; the peak of each, and of the stack's PSS sum
    (the load generator is not part of the stack)."""
    for _ in range(100_000):  # bounded; stopped by ``stop`` long before
        total = 0.0
        for name, pid_of in pids.items():
            pid = pid_of()
            if pid is None:
                continue
            rss, pss = memory_mb(pid, tree=name != GENERATOR)  # the generator's children are the stack
            if name != GENERATOR:
                total += pss
            peak = peaks.setdefault(name, [0.0, 0.0])
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
        totals.append(total)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        if stop.is_set():
            return


async def surge(run: Surge, pids: dict[str, Any], figures: Figures) -> None:
    peaks: dict[str, list[float]] = {}
    totals: list[float] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_memory({**pids, GENERATOR: os.getpid}, peaks, totals, stop))

    def cpu_now() -> dict[str, float]:
        out = {}
        for name, pid_of in {**pids, GENERATOR: os.getpid}.items():
            pid = pid_of()
            out[name] = cpu_seconds(pid, tree=name != GENERATOR) if pid is not None else 0.0
        return out

    def machine_ticks() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields) - fields[3] - fields[4], sum(fields)  # busy (not idle, not iowait), all

    cpu_before, ticks_before = cpu_now(), machine_ticks()
    try:
        await run.run()
        cpu_after, ticks_after = cpu_now(), machine_ticks()
        answered = sum(1 for t in run.turns if t.first_reply is not None) or 1
        figures.cpu_ms_per_answered_turn = {
            name: round(1000 * max(0.0, cpu_after.get(name, 0.0) - cpu_before.get(name, 0.0)) / answered, 2)
            for name in cpu_before
        }
        busy = ticks_after[0] - ticks_before[0]
        figures.machine_busy_percent = round(100 * busy / max(1, ticks_after[1] - ticks_before[1]), 1)
    finally:
        stop.set()
        await sampler
    run.figures(figures)
    figures.peak_rss_mb = {k: round(v[0], 1) for k, v in peaks.items()}
    figures.peak_pss_mb = {k: round(v[1], 1) for k, v in peaks.items()}
    figures.peak_stack_pss_mb = round(max(totals, default=0.0), 1)


# -- the run ---------------------------------------------------------------------------------------


def stock_rasa(model: Path, texts: list[str]) -> dict[str, Any]:
    from nlu.bench import measure

    figures = measure("rasa", model, texts, sequential=50, concurrent=min(1200, len(texts) - 80))
    return {
        "server": figures.server,
        "parses_per_s_32_clients": round(figures.rps_32, 1),
        "p50_ms_32_clients": round(figures.p50_ms_32, 1),
        "p95_ms_32_clients": round(figures.p95_ms_32, 1),
        "rss_mb": round(figures.rss_mb, 1),
        "errors": figures.errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.loadbench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=220.0, help="offered messages per second")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of load before the measurement")
    parser.add_argument("--drain", type=float, default=60.0, help="most seconds for conversations to end")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--stock", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--lease", type=float, default=10.0, help="BRUJULA_INBOX_LEASE_SECONDS")
    parser.add_argument("--turn-timeout", type=float, default=45.0)
    parser.add_argument("--retry-for", type=float, default=60.0, help="seconds a webhook is retried")
    parser.add_argument("--max-people", type=int, default=20_000)
    parser.add_argument("--nlu-cache", type=int, default=4096)
    parser.add_argument("--write", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--report", default="bench-load", help="reports/NAME.md and reports/NAME.json")
    parser.add_argument(
        "--nlu-url", default="", help="use this running NLU service instead of starting the thin server"
    )
    args = parser.parse_args(argv)

    from nlu.examples import read_heldout, read_training
    from nlu.paths import DATA, HELDOUT
    from nlu.training import latest_model

    model = latest_model()
    if model is None:
        print("no trained model: run `make setup`", file=sys.stderr)
        return 2
    figures = Figures(
        offered_rate=args.rate, duration_s=args.duration, warmup_s=args.warmup, workers=args.workers
    )
    started = datetime.now(UTC)
    if args.stock:
        texts = [e.text for e in read_heldout(HELDOUT)] + [e.text for e in read_training(DATA)]
        print("measuring stock `rasa run` parse throughput…", flush=True)
        figures.stock_rasa = stock_rasa(model, texts)
        print(f"  {figures.stock_rasa['parses_per_s_32_clients']} parses/s", flush=True)

    LOGS.mkdir(parents=True, exist_ok=True)
    pg = ThrowawayPostgres("brujula_bench", max_connections=200)
    nlu = RasaService(model, server="thin", log_file=LOGS / "nlu-server.log")
    nlu_cmd = nlu.command
    nlu.command = lambda: [*nlu_cmd(), "--cache", str(args.nlu_cache)]  # type: ignore[method-assign]
    workers: list[Worker] = []
    try:
        url = pg.start()
        if args.nlu_url:
            nlu_url = args.nlu_url
        else:
            print("starting the thin NLU server…", flush=True)
            nlu.start(wait=600)
            nlu_url = nlu.url
        fake_port = free_port()
        env = {
            **os.environ,
            "BRUJULA_ENV": "development",
            "BRUJULA_DATABASE_URL": url,
            "BRUJULA_NLU_URL": nlu_url,
            "BRUJULA_LOG_LEVEL": "WARNING",
            "BRUJULA_INBOX_LEASE_SECONDS": str(args.lease),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{fake_port}/bot",
            "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
            "TELEGRAM_MAX_SENDS_PER_SECOND": "100000",
            "WHATSAPP_ACCESS_TOKEN": "bench-token",
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "bench-verify",
            "WHATSAPP_API_BASE_URL": f"http://127.0.0.1:{fake_port}/v21.0",
        }
        import subprocess

        subprocess.run([str(BRUJULA), "db", "init"], env=env, check=True, capture_output=True)
        subprocess.run([str(BRUJULA), "db", "seed"], env=env, check=True, capture_output=True)
        for i in range(args.workers):
            port = free_port()
            worker_env = {**env, "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook"}
            workers.append(Worker(f"worker {i + 1}", port, worker_env, LOGS / f"worker-{i + 1}.log"))
        print(f"starting {args.workers} workers, then the surge…", flush=True)
        pids: dict[str, Any] = {
            "postgresql (all backends)": pg.postmaster_pid,
            "nlu.server (thin)": lambda: (
                nlu.process.pid if nlu.process and nlu.process.poll() is None else None
            ),
        }
        for w in workers:
            pids[w.name] = lambda w=w: w.pid
        uvloop.run(start_then_surge(args, workers, pids, fake_port, figures, url))
    finally:
        for w in workers:
            w.stop()
        nlu.stop()
        pg.stop()
    if figures.stock_rasa.get("parses_per_s_32_clients"):
        # what the stack completed in the window, not what it had been sent (a backlog is not throughput)
        figures.thin_ratio = round(figures.completed_per_s / figures.stock_rasa["parses_per_s_32_clients"], 2)
    report = {"date": started.isoformat(timespec="seconds"), "machine": machine(), "figures": asdict(figures)}
    print(markdown(report))
    if args.write:
        REPORTS.mkdir(exist_ok=True)
        (REPORTS / f"{args.report}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        (REPORTS / f"{args.report}.md").write_text(markdown(report) + "\n")
    return 0


async def start_then_surge(
    args: argparse.Namespace,
    workers: list[Worker],
    pids: dict[str, Any],
    fake_port: int,
    figures: Figures,
    db_url: str,
) -> None:
    """One fake API server for the whole run (the workers call getMe and setWebhook as they
    start, and keep their connections to it), then the surge."""
    run = Surge(args, workers, db_url)
    recorder = ReplyRecorder(telegram_token=TOKEN, phone_number_id=PHONE_ID, on_reply=run.on_reply)
    config = uvicorn.Config(
        recorder, host="127.0.0.1", port=fake_port, log_level="warning", lifespan="off", http="httptools"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(100):
            if server.started:
                break
            await asyncio.sleep(0.05)
        for w in workers:
            await asyncio.to_thread(w.start)
        await surge(run, pids, figures)
    finally:
        server.should_exit = True
        await serving


def markdown(report: dict[str, Any]) -> str:
    f = report["figures"]
    m = report["machine"]
    stock = f.get("stock_rasa") or {}
    lines = [
        "# Load bench: the whole stack under a surge",
        "",
        f"Run {report['date']} on {m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
        f"Python {m.get('python', '?')}; "
        f"{f['workers']} `brujula serve` workers on PostgreSQL, the thin NLU server, fake Telegram and Graph "
        f"APIs on loopback; offered {f['offered_rate']:.0f} messages/s, {f['warmup_s']:.0f} s warm-up, "
        f"{f['duration_s']:.0f} s measured.",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| people (conversations started) | {f['people']:,} |",
        f"| turns sent (all phases) | {f['turns_sent']:,} |",
        f"| turns sent in the measured window | {f['turns_in_window']:,} |",
        f"| sustained messages/s (answered, sent in the window) | {f['messages_per_s']} |",
        f"| completed messages/s (first reply in the window) | {f.get('completed_per_s', '-')} |",
        f"| webhook → first reply p50 / p95 / p99 / max (ms) | "
        f"{f['p50_ms']} / {f['p95_ms']} / {f['p99_ms']} / {f['max_ms']} |",
        f"| p95 outside the kill's reach (ms) | {f['p95_ms_outside_kill']} |",
        f"| webhook → 200 (stored in the inbox) p50 / p95 (ms) | "
        f"{f['webhook_200_p50_ms']} / {f['webhook_200_p95_ms']} |",
        f"| load generator's event-loop lag p95 / max (ms) | "
        f"{f['generator_lag_p95_ms']} / {f['generator_lag_max_ms']} |",
        *(
            f"| {c}: answered in the window, p50 / p95 (ms) | "
            f"{v['answered_in_window']:.0f}, {v['p50_ms']} / {v['p95_ms']} |"
            for c, v in f["by_channel"].items()
        ),
        f"| webhook retries (no 200) / given up | {f['webhook_retries']} / {f['webhook_failures']} |",
        f"| turns never answered (after the inbox drained) / messages left pending | "
        f"{f['turns_unanswered']} / {f['inbox_pending_at_end']} |",
        f"| lost replies / duplicated replies | {f['lost_replies']} / {f['duplicated_replies']} |",
        f"| of those, people with no turn within reach of the kill: lost / duplicated | "
        f"{f['lost_outside_kill']} / {f['duplicated_outside_kill']} |",
        f"| people cut short by the time bound | {f['people_incomplete']} |",
        f"| replies recorded by the fake APIs | {f['replies_recorded']:,} |",
        f"| stock `rasa run` parses/s (32 clients, same run) | {stock.get('parses_per_s_32_clients', '-')} |",
        f"| completed messages/s ÷ stock parses/s | {f['thin_ratio']} |",
        f"| peak memory of the whole stack, PSS sum sampled each second (MiB) | {f['peak_stack_pss_mb']} |",
    ]
    for name, mb in f["peak_rss_mb"].items():
        lines.append(f"| peak {name}: RSS / PSS (MiB) | {mb} / {f['peak_pss_mb'].get(name)} |")
    for name, ms in f["cpu_ms_per_answered_turn"].items():
        lines.append(f"| CPU per answered turn, {name} (ms) | {ms} |")
    lines.append(f"| machine CPU busy during the surge, all processes (%) | {f['machine_busy_percent']} |")
    if f["kill"]:
        k = f["kill"]
        restarted, healthy = k.get("restarted_after_s", "?"), k.get("healthy_again_at_s", "?")
        lines += [
            "",
            f"Kill: `kill -9` {k.get('worker')} at {k.get('at_s')} s, restarted after {restarted} s",
        ]
        lines[-1] += f" (healthy again at {healthy} s)."
    for note in f["notes"]:
        lines.append(f"- {note}")
    return "\n".join(lines)


if __name__ == "__main__":
    from bot.commands.support import terminate_as_interrupt

    with terminate_as_interrupt():  # `kill` stops PostgreSQL, the NLU server and the workers too
        raise SystemExit(main())
