"""The processes of the bench: PostgreSQL, the NLU service, several ``brujula serve`` workers.

Each worker is its own ``brujula serve`` process on its own loopback port, as behind a reverse
proxy; :meth:`Worker.kill` is ``kill -9`` and :meth:`Worker.start` restarts it on the same port,
as a supervisor would. :func:`memory_mb` reads resident memory from ``/proc`` (a process and
all its descendants: PostgreSQL's backends), as RSS and as PSS.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from bot.settings import ROOT
from nlu.service import stop_process

BRUJULA = ROOT / ".venv" / "bin" / "brujula"


def _children(pid: int) -> list[int]:
    out: list[int] = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        for task in task_dir.iterdir():
            children = task / "children"
            if children.exists():
                out += [int(p) for p in children.read_text().split()]
    except OSError:
        return out
    return out


def _processes(pid: int, *, tree: bool) -> Iterator[int]:
    """``pid`` and, when ``tree``, each of its descendants once."""
    pending = [pid]
    seen: set[int] = set()
    while pending:
        p = pending.pop()
        if p in seen:
            continue
        seen.add(p)
        yield p
        if tree:
            pending += _children(p)


def _field_kb(path: Path, name: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_mb(pid: int, *, tree: bool = True) -> tuple[float, float]:
    """``(rss, pss)`` of ``pid`` (and every descendant when ``tree``), in MiB; ``(0, 0)`` when
    gone. RSS counts shared pages in every process (PostgreSQL's shared buffers once per backend);
    PSS shares them out, so PSS adds up across processes."""
    rss_kb = pss_kb = 0
    for p in _processes(pid, tree=tree):
        rss_kb += _field_kb(Path(f"/proc/{p}/status"), "VmRSS:")
        pss_kb += _field_kb(Path(f"/proc/{p}/smaps_rollup"), "Pss:")
    return rss_kb / 1024, pss_kb / 1024


def cpu_seconds(pid: int, *, tree: bool = True) -> float:
    """CPU time (user + system) used so far by ``pid`` and, when ``tree``, its descendants: the
    live ones, and those that ended and were waited for (PostgreSQL's backends of closed
    connections: their time is in their parent's ``cutime``/``cstime``)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _processes(pid, tree=tree):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
            if tree:
                total += int(fields[13]) + int(fields[14])  # cutime, cstime: children waited for
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile: it has no children left to visit either
    return total / tick


def wait_healthy(url: str, deadline: float, process: subprocess.Popen[bytes] | None = None) -> bool:
    """``True`` once ``url``/healthz answers 200; ``False`` at ``deadline`` or as soon as
    ``process`` has exited (a refused configuration: no point waiting two minutes)."""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


class Worker:
    """One ``brujula serve`` on ``port`` with ``env``; logs to ``log``."""

    def __init__(self, name: str, port: int, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.port = port
        self.env = {**env, "BRUJULA_PORT": str(port)}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: float = 120.0) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(BRUJULA), "serve"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_healthy(self.url, time.monotonic() + wait, self.process):
            self.stop()
            last = self.log.read_text(errors="replace").strip().splitlines()[-1:] or [""]
            raise RuntimeError(f"{self.name} did not become healthy ({last[0]}); see {self.log}")

    def kill(self) -> None:
        """``kill -9``: no shutdown, no goodbye."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_process(self.process)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None
