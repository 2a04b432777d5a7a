"""Start and stop the Rasa NLU service (``rasa run --enable-api``) as a child process."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx

from nlu.paths import RASA_BIN, VAR, rasa_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_ready(url: str, timeout: float = 1.0) -> bool:
    try:
        response = httpx.get(url.rstrip("/") + "/status", timeout=timeout)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and bool(response.json().get("model_file"))


class RasaService:
    """``with RasaService(model) as svc: svc.url`` — a served model on loopback."""

    def __init__(
        self,
        model: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        auth_token: str | None = None,
        log_file: Path | None = None,
    ) -> None:
        self.model = model
        self.host = host
        self.port = port or free_port()
        self.auth_token = auth_token
        self.log_file = log_file or VAR / "log" / "rasa.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
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
        elif self.host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("an auth token is required when Rasa listens beyond loopback")
        return cmd

    def start(self, wait: float = 180.0) -> None:
        if not RASA_BIN.exists():
            raise FileNotFoundError(f"Rasa is not installed at {RASA_BIN} (run `make setup`)")
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        out = self.log_file.with_suffix(".out").open("ab")
        self.process = subprocess.Popen(
            self.command(),
            env=rasa_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Rasa exited with code {self.process.returncode}; see {self.log_file}")
            if is_ready(self.url):
                return
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"Rasa did not become ready in {wait:.0f} s; see {self.log_file}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def __enter__(self) -> RasaService:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
