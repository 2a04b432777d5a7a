"""Referral query latency on synthetic registries (``make bench-registry``).

For each backend (SQLite file; PostgreSQL: ``BRUJULA_BENCH_POSTGRES_URL`` or a throwaway server
started here from Debian's binaries) and each size (1,000 / 10,000 / 100,000 services), loads a
synthetic registry (``referrals.synthetic``: not real services) into a fresh database, runs a
fixed mix of referral queries (intents, cities, states, shared locations, languages,
populations, times of the week) through ``SqlReferralFinder`` and reports p50/p95/max latency.
With ``--write`` the table replaces the "## Registry" section of ``docs/PERFORMANCE.md``.

    .venv/bin/python -m referrals.bench [--sizes 1000,10000,100000] [--backends sqlite,postgresql]
                                        [--queries 400] [--write]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import Engine, create_engine, event, text

from referrals import store, synthetic
from referrals.places import default_gazetteer
from referrals.report import Report
from referrals.sql_finder import SqlReferralFinder
from referrals.taxonomy import intent_categories

ROOT: Final = Path(__file__).resolve().parent.parent
PERFORMANCE: Final = ROOT / "docs" / "PERFORMANCE.md"
TARGET_P95_MS: Final = 20.0


@dataclass(frozen=True, slots=True)
class Result:
    backend: str
    services: int
    load_s: float
    queries: int
    p50_ms: float
    p95_ms: float
    max_ms: float


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def _migrate(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "bot" / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server on 127.0.0.1 for the duration (like the tests' fixture)."""
    given = os.environ.get("BRUJULA_BENCH_POSTGRES_URL")
    if given:
        yield given
        return
    bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    bindir = next((b for b in bindirs if (b / "initdb").exists()), None)
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    workdir = Path(tempfile.mkdtemp(prefix="brujula-bench-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = workdir / "data"
    run = [*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
    subprocess.run([*run, "--no-sync"], check=True, capture_output=True)
    options = f"-p {port} -h 127.0.0.1 -k {workdir} -F -c shared_buffers=256MB"
    ctl = [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(workdir / "pg.log"), "-w"]
    subprocess.run([*ctl, "-o", options, "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*ctl, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


def _fresh_postgres(base: str, name: str) -> str:
    admin = create_engine(
        base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name


def _queries(count: int, seed: int = 11) -> list[dict[str, object]]:
    rng = random.Random(seed)
    places = default_gazetteer()
    intents = sorted(intent_categories())
    monday = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    out: list[dict[str, object]] = []
    for _ in range(count):
        query: dict[str, object] = {
            "intent": rng.choice(intents),
            "language": rng.choices(["es", "en", "ht"], weights=[70, 15, 15])[0],
            "now": monday + timedelta(minutes=rng.randrange(7 * 24 * 60)),
            "populations": frozenset(rng.sample(["women", "children_families", "lgbtq"], 1))
            if rng.random() < 0.2
            else frozenset(),
        }
        kind = rng.random()
        if kind < 0.4:
            query["place"] = rng.choice(places.cities)
        elif kind < 0.7:
            query["place"] = rng.choice(places.states)
        else:
            city = rng.choice(places.cities)
            query["place"] = None
            query["latitude"] = city.latitude + rng.uniform(-0.05, 0.05)
            query["longitude"] = city.longitude + rng.uniform(-0.05, 0.05)
        out.append(query)
    return out


def measure(engine: Engine, backend: str, services: int, queries: int) -> Result:
    started = time.perf_counter()
    _migrate(engine)
    store.save(engine, synthetic.bundle(services), Report(), replace=True)
    if backend == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    load = time.perf_counter() - started
    finder = SqlReferralFinder(engine)
    mix = _queries(queries)
    for query in mix[:30]:  # warm-up: connections, statement caches
        finder.find_now(**query)  # type: ignore[arg-type]
    timings: list[float] = []
    for query in mix:
        t0 = time.perf_counter()
        finder.find_now(**query)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return Result(
        backend=backend,
        services=services,
        load_s=load,
        queries=len(timings),
        p50_ms=statistics.median(timings),
        p95_ms=timings[int(0.95 * (len(timings) - 1))],
        max_ms=timings[-1],
    )


def run(sizes: list[int], backends: list[str], queries: int) -> list[Result]:
    results: list[Result] = []
    with contextlib.ExitStack() as stack:
        pg_base = stack.enter_context(throwaway_postgres()) if "postgresql" in backends else None
        for backend in backends:
            for size in sizes:
                if backend == "sqlite":
                    workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="brujula-bench-")))
                    url = f"sqlite:///{workdir / f'registry-{size}.db'}"
                else:
                    assert pg_base is not None
                    url = _fresh_postgres(pg_base, f"bench_{size}")
                engine = _engine(url)
                try:
                    result = measure(engine, backend, size, queries)
                finally:
                    engine.dispose()
                results.append(result)
                print(
                    f"{backend:<10} {size:>7} services  load {result.load_s:6.1f} s  "
                    f"p50 {result.p50_ms:6.2f} ms  p95 {result.p95_ms:6.2f} ms  max {result.max_ms:6.2f} ms",
                    flush=True,
                )
    return results


def markdown(results: list[Result], queries: int) -> str:
    lines = [
        "## Registry",
        "",
        "Referral query latency of `SqlReferralFinder.find` (one call: the hours patterns open now,",
        "then one small ranked query per status × tier × category until the limit of 3 is filled,",
        "then one read of the results' cards) on synthetic registries (`referrals/synthetic.py`, not",
        f"real services), {queries} queries per row in a fixed mix of intents, cities, states, shared",
        "locations, languages, populations and times of the week, after 30 warm-up queries; one",
        "process, one connection at a time; load = migrate + import + index in one transaction.",
        "Target: p95 ≤ 20 ms at 100,000 services on both backends.",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `make bench-registry` on {platform.machine()},",
        f"{os.cpu_count()} cores shared with other work, Python {platform.python_version()}.",
        "",
        "| backend | services | load (s) | p50 (ms) | p95 (ms) | max (ms) | p95 ≤ 20 ms |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        verdict = "yes" if r.p95_ms <= TARGET_P95_MS else "NO"
        lines.append(
            f"| {r.backend} | {r.services:,} | {r.load_s:.1f} | {r.p50_ms:.2f} | {r.p95_ms:.2f} | "
            f"{r.max_ms:.2f} | {verdict} |"
        )
    lines.append("")
    return "\n".join(lines)


def write_section(section: str, path: Path = PERFORMANCE) -> None:
    """Replace (or append) the "## Registry" section; the rest of the file is left as it is."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    lines = current.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "## Registry"), None)
    if start is None:
        updated = current.rstrip("\n") + "\n\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        updated = "".join(lines[:start]) + section + ("\n" if end < len(lines) else "") + "".join(lines[end:])
    path.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--write", action="store_true", help="update docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    backends = [b for b in args.backends.split(",") if b]
    results = run(sizes, backends, args.queries)
    if args.write:
        write_section(markdown(results, args.queries))
        print(f"wrote the Registry section of {PERFORMANCE.relative_to(ROOT)}")
    return 0 if all(r.p95_ms <= TARGET_P95_MS for r in results if r.services >= 100_000) else 1


if __name__ == "__main__":
    sys.exit(main())
