"""``make bench-nlu``: measure the NLU service the way the bot uses it, stock Rasa against the thin server.

Run from the app environment (``.venv/bin/python -m nlu.bench``). In one run, for each server
(stock ``rasa run --enable-api`` and ``nlu.server``), on the same trained model:

- model load time: from starting the process to ``GET /status`` naming the model;
- parse latency p50/p95/p99 at 1 client (sequential ``POST /model/parse`` on a keep-alive
  connection) and the throughput that gives;
- throughput and latency p50/p95 at 32 concurrent clients;
- resident memory (RSS) of the server process after the load;

plus the training time (the last training log, or ``--train`` to train now) and the machine.
Messages are the held-out and training texts, each sent once per phase, so the thin server's
cache cannot help (a separate line measures a realistic share of repeated messages).
Results: Markdown on stdout and ``reports/bench-nlu.md``, raw figures in ``reports/bench-nlu.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from nlu.examples import read_heldout, read_training
from nlu.paths import DATA, HELDOUT, ROOT
from nlu.service import RasaService, ServerKind
from nlu.training import last_training, latest_model, train

REPORTS = ROOT / "reports"


@dataclass
class ServerFigures:
    server: str
    load_seconds: float = 0.0
    p50_ms_1: float = 0.0
    p95_ms_1: float = 0.0
    p99_ms_1: float = 0.0
    rps_1: float = 0.0
    p50_ms_32: float = 0.0
    p95_ms_32: float = 0.0
    rps_32: float = 0.0
    rps_32_repeats: float | None = None
    rss_mb: float = 0.0
    errors: int = 0
    notes: list[str] = field(default_factory=list)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = q / 100 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MiB (Linux /proc)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        status = Path(f"/proc/{p}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


async def _sequential(url: str, texts: list[str]) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        started = time.perf_counter()
        for text in texts:
            t0 = time.perf_counter()
            response = await client.post("/model/parse", json={"text": text})
            latencies.append(time.perf_counter() - t0)
            errors += response.status_code != 200
        wall = time.perf_counter() - started
    return latencies, wall, errors


async def _concurrent(url: str, texts: list[str], clients: int) -> tuple[list[float], float, int]:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for text in texts:
        queue.put_nowait(text)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            while True:
                try:
                    text = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                response = await client.post("/model/parse", json={"text": text})
                latencies.append(time.perf_counter() - t0)
                errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - started
    return latencies, wall, errors


def measure(
    kind: ServerKind, model: Path, texts: list[str], *, sequential: int, concurrent: int
) -> ServerFigures:
    figures = ServerFigures(server="rasa run --enable-api" if kind == "rasa" else "nlu.server (thin)")
    service = RasaService(model, server=kind)
    started = time.perf_counter()
    service.start(wait=600)
    figures.load_seconds = time.perf_counter() - started
    try:
        rng = random.Random(7)
        pool = texts[:]
        rng.shuffle(pool)
        warm, pool = pool[:30], pool[30:]
        asyncio.run(_sequential(service.url, warm))
        one = pool[:sequential]
        many = pool[sequential : sequential + concurrent]
        if len(many) < concurrent:
            figures.notes.append(f"only {len(many)} distinct texts for the concurrent phase")
        lat, wall, errors = asyncio.run(_sequential(service.url, one))
        figures.p50_ms_1 = 1000 * percentile(lat, 50)
        figures.p95_ms_1 = 1000 * percentile(lat, 95)
        figures.p99_ms_1 = 1000 * percentile(lat, 99)
        figures.rps_1 = len(one) / wall
        figures.errors += errors
        lat, wall, errors = asyncio.run(_concurrent(service.url, many, 32))
        figures.p50_ms_32 = 1000 * percentile(lat, 50)
        figures.p95_ms_32 = 1000 * percentile(lat, 95)
        figures.rps_32 = len(many) / wall
        figures.errors += errors
        if kind == "thin":
            # A realistic mix: a third of the messages repeat recent ones ("hola", "ayuda", …).
            repeats = [rng.choice(one[:200]) if rng.random() < 1 / 3 else t for t in pool[-600:]]
            _, wall, errors = asyncio.run(_concurrent(service.url, repeats, 32))
            figures.rps_32_repeats = len(repeats) / wall
            figures.errors += errors
        assert service.process is not None
        figures.rss_mb = rss_mb(service.process.pid)
    finally:
        service.stop()
    return figures


def machine() -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("\n")[0].split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": load,
    }


def markdown(
    figures: list[ServerFigures], training: dict[str, object] | None, box: dict[str, str], model: str
) -> str:
    lines = [
        "# NLU service benchmark",
        "",
        f"Command: `make bench-nlu` (`.venv/bin/python -m nlu.bench`) · model `{model}`",
        "",
        f"Machine: {box['cpu']}, {box['cores']} cores, {box['memory']} RAM, {box['os']}; "
        f"load average at start {box['load_average_at_start']} (other work shares this machine).",
        "",
        "| server | model load | p50 / p95 / p99 at 1 client | req/s at 1 client | p50 / p95 at 32 clients "
        "| req/s at 32 clients | RSS | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in figures:
        lines.append(
            f"| {f.server} | {f.load_seconds:.1f} s "
            f"| {f.p50_ms_1:.1f} / {f.p95_ms_1:.1f} / {f.p99_ms_1:.1f} ms | {f.rps_1:.0f} "
            f"| {f.p50_ms_32:.0f} / {f.p95_ms_32:.0f} ms | {f.rps_32:.0f} | {f.rss_mb:.0f} MiB | {f.errors} |"
        )
    for f in figures:
        if f.rps_32_repeats is not None:
            lines += [
                "",
                f"{f.server}, 32 clients, a third of the messages repeated: {f.rps_32_repeats:.0f} req/s.",
            ]
        for note in f.notes:
            lines += ["", f"{f.server}: {note}"]
    if training:
        lines += [
            "",
            f"Training (`rasa train nlu`, {training.get('cpus')} CPUs): {training.get('seconds')} s "
            f"for `{training.get('model')}` (finished {training.get('finished')}).",
        ]
    else:
        lines += ["", "Training time: no training log for this model (run with `--train`)."]
    lines += ["", "Targets: p95 ≤ 30 ms at 1 client; throughput at least that of stock `rasa run`."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description="Benchmark the NLU service (stock Rasa vs the thin server).")
    args.add_argument("--model", type=Path, default=None, help="default: the latest trained model")
    args.add_argument("--train", action="store_true", help="train now (forced) and report that time")
    args.add_argument("--servers", default="rasa,thin", help="comma-separated: rasa, thin")
    args.add_argument("--sequential", type=int, default=300, help="requests at 1 client")
    args.add_argument("--concurrent", type=int, default=1000, help="requests at 32 clients")
    args.add_argument("--out", type=Path, default=REPORTS)
    opts = args.parse_args(argv)
    box = machine()
    if opts.train:
        train(force=True)
    model = opts.model or latest_model()
    if model is None:
        print("no trained model; run `brujula nlu train`", file=sys.stderr)
        return 2
    texts = list(
        dict.fromkeys([ex.text for ex in read_heldout(HELDOUT)] + [ex.text for ex in read_training(DATA)])
    )
    kinds: dict[str, ServerKind] = {"rasa": "rasa", "thin": "thin"}
    figures = []
    for name in opts.servers.split(","):
        if name not in kinds:
            print(f"unknown server {name!r}; expected rasa or thin", file=sys.stderr)
            return 2
        print(f"measuring {name}…", file=sys.stderr)
        figures.append(
            measure(kinds[name], model, texts, sequential=opts.sequential, concurrent=opts.concurrent)
        )
    training = last_training(model)
    report = markdown(figures, training, box, model.name)
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / "bench-nlu.md").write_text(report, encoding="utf-8")
    (opts.out / "bench-nlu.json").write_text(
        json.dumps(
            {
                "machine": box,
                "model": model.name,
                "training": training,
                "servers": [asdict(f) for f in figures],
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    print(report)
    return 0 if all(f.errors == 0 for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
