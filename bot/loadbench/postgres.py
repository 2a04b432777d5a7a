"""A throwaway PostgreSQL server on loopback (Debian's binaries), for tests and the load bench.

``with ThrowawayPostgres() as url: …`` runs ``initdb`` in a temporary directory (trust
authentication, loopback only, ``fsync`` off: nothing here is meant to survive), starts the
server on a free port, creates one database and removes everything on exit. As root (containers)
it runs as the ``postgres`` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from nlu.service import free_port


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's ``bin`` directory, or ``None``."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    return None


class ThrowawayPostgres:
    def __init__(self, database: str = "brujula", *, max_connections: int = 100) -> None:
        bindir = pg_bin()
        if bindir is None:
            raise FileNotFoundError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bindir = bindir
        self.database = database
        self.max_connections = max_connections
        self.port = free_port()
        self.workdir: Path | None = None
        self._as_user: list[str] = []

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    @property
    def data(self) -> Path:
        assert self.workdir is not None
        return self.workdir / "data"

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_user, *args], check=True, capture_output=True)

    def start(self) -> str:
        self.workdir = Path(tempfile.mkdtemp(prefix="brujula-pg-"))
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.workdir, "postgres")
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -h 127.0.0.1 -k {self.workdir} -F -c max_connections={self.max_connections}"
        )
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.workdir / "pg.log"), "-w",
            "-o", options, "start",
        )  # fmt: skip
        self._run(
            str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            self.database,
        )  # fmt: skip
        return self.url

    def postmaster_pid(self) -> int | None:
        pid_file = self.data / "postmaster.pid" if self.workdir else None
        if pid_file is None or not pid_file.exists():
            return None
        return int(pid_file.read_text().split()[0])

    def stop(self) -> None:
        if self.workdir is None:
            return
        subprocess.run(
            [*self._as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
