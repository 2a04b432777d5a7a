"""Start and stop the NLU service as a child process: stock ``rasa run --enable-api`` or the thin
server (``nlu/server.py``: same API, micro-batching and a parse cache), both in the Rasa environment."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from typing import IO, Literal

import httpx

from nlu.paths import RASA_BIN, RASA_VENV, ROOT, VAR, rasa_env

ServerKind = Literal["rasa", "thin"]
SERVER_KINDS: tuple[ServerKind, ...] = ("rasa", "thin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_ready(url: str, timeout: float = 1.0, token: str | None = None) -> bool:
    try:
        params = {"token": token} if token else {}
        response = httpx.get(url.rstrip("/") + "/status", timeout=timeout, params=params)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and bool(response.json().get("model_file"))


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    """Terminate ``process`` if it still runs; kill it if it has not ended 15 s later."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class RasaService:
    """``with RasaService(model) as svc: svc.url`` — a served model on loopback.

    ``server="rasa"`` runs stock ``rasa run --enable-api``; ``server="thin"`` runs ``nlu.server``
    with the Rasa environment's Python (the same ``/model/parse`` and ``/status`` API).
    """

    def __init__(
        self,
        model: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        auth_token: str | None = None,
        log_file: Path | None = None,
        server: ServerKind = "rasa",
    ) -> None:
        if server not in SERVER_KINDS:
            raise ValueError(f"unknown NLU server {server!r}; expected one of {SERVER_KINDS}")
        self.model = model
        self.host = host
        self.port = port or free_port()
        self.auth_token = auth_token
        self.server = server
        self.log_file = log_file or VAR / "log" / ("rasa.log" if server == "rasa" else "nlu-server.log")
        self.process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        if self.host not in ("127.0.0.1", "localhost", "::1") and not self.auth_token:
            raise ValueError("an auth token is required when the NLU service listens beyond loopback")
        if self.server == "thin":
            cmd = [
                str(RASA_VENV / "bin" / "python"),
                "-m",
                "nlu.server",
                "--model",
                str(self.model),
                "--host",
                self.host,
                "--port",
                str(self.port),
            ]
            return cmd + (["--auth-token", self.auth_token] if self.auth_token else [])
        cmd = [
            str(RASA_BIN),
            "run",
            "--enable-api",
            "-m",
            str(self.model),
            "-i",
            self.host,
            "-p",
            str(self.port),
            "--log-file",
            str(self.log_file),
        ]
        if self.auth_token:
            cmd += ["--auth-token", self.auth_token]
        return cmd

    def environment(self) -> dict[str, str]:
        env = rasa_env()
        if self.server == "thin":  # `-m nlu.server` from any working directory
            env["PYTHONPATH"] = str(ROOT) + (":" + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        return env

    def start(self, wait: float = 180.0) -> None:
        if not RASA_BIN.exists():
            raise FileNotFoundError(f"Rasa is not installed at {RASA_BIN} (run `make setup`)")
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._output = self.log_file.with_suffix(".out").open("ab")
        self.process = subprocess.Popen(
            self.command(),
            env=self.environment(),
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.stop()
                raise RuntimeError(f"the NLU service exited with code {code}; see {self.log_file}")
            if is_ready(self.url, token=self.auth_token):
                return
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"the NLU service did not become ready in {wait:.0f} s; see {self.log_file}")

    def stop(self) -> None:
        stop_process(self.process)
        if self._output is not None:
            self._output.close()
            self._output = None

    def __enter__(self) -> RasaService:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
