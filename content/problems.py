"""One fault found in the content or the catalogs: which file, which key, what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    key: str  # the YAML key or the msgid at fault; "" for the file as a whole
    message: str

    def __str__(self) -> str:
        key = f" [{self.key}]" if self.key else ""
        return f"{shown(self.file)}{key}: {self.message}"


def shown(file: str) -> str:
    """``file`` relative to the working directory when it is inside it (shorter, clickable)."""
    try:
        return str(Path(file).resolve().relative_to(Path.cwd()))
    except ValueError:
        return file
