"""Knowledge answers: ``content/answers/<intent>/<language>.yml`` plus ``content/sources.yml``.

The book re-reads the files when any of them changes (checked at most every few seconds), so a
coordinator's edit shows up in the next conversation without a restart.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ANSWERS = HERE / "answers"
SOURCES = HERE / "sources.yml"
SECTION_KEYS = ("steps", "documents", "where", "rights", "problems")


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    title: str
    url: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Answer:
    intent: str
    language: str
    status: str  # "draft" | "reviewed"
    last_reviewed: date | None
    summary: str
    sections: tuple[Section, ...] = field(default_factory=tuple)
    sources: tuple[Source, ...] = field(default_factory=tuple)
    reviewed_by: str | None = None
    audio: str | None = None

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


class ContentError(ValueError):
    """A content file that cannot be used; the message names the file and the key."""


def _parse_date(value: object, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ContentError(f"{where}: last_reviewed is not a date (YYYY-MM-DD)") from None


def load_sources(path: Path = SOURCES) -> dict[str, Source]:
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, Source] = {}
    for key, row in raw.items():
        row = row or {}
        out[str(key)] = Source(
            key=str(key),
            title=str(row.get("title") or key),
            url=row.get("url"),
            date=None if row.get("date") is None else str(row.get("date")),
        )
    return out


def load_answer(path: Path, sources: dict[str, Source]) -> Answer:
    where = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{where}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(raw, dict):
        raise ContentError(f"{where}: expected a mapping")
    for key in ("intent", "language", "status", "summary", "sources"):
        if not raw.get(key):
            raise ContentError(f"{where}: missing '{key}'")
    if raw["status"] not in ("draft", "reviewed"):
        raise ContentError(f"{where}: status must be draft or reviewed")
    sections = []
    for i, sec in enumerate(raw.get("sections") or []):
        if not isinstance(sec, dict) or not sec.get("key") or not sec.get("text"):
            raise ContentError(f"{where}: sections[{i}] needs key, title and text")
        sections.append(
            Section(str(sec["key"]), str(sec.get("title") or sec["key"]), str(sec["text"]).strip())
        )
    cited = []
    for key in raw["sources"]:
        if str(key) not in sources:
            raise ContentError(f"{where}: source '{key}' is not in content/sources.yml")
        cited.append(sources[str(key)])
    return Answer(
        intent=str(raw["intent"]),
        language=str(raw["language"]),
        status=str(raw["status"]),
        last_reviewed=_parse_date(raw.get("last_reviewed"), where),
        summary=str(raw["summary"]).strip(),
        sections=tuple(sections),
        sources=tuple(cited),
        reviewed_by=raw.get("reviewed_by"),
        audio=raw.get("audio"),
    )


class AnswerBook:
    """All answers, keyed by (intent, language), reloaded when the files change."""

    def __init__(self, root: Path = ANSWERS, sources: Path = SOURCES, *, check_every: float = 2.0):
        self._root = root
        self._sources_path = sources
        self._check_every = check_every
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], Answer] = {}
        self._stamp: tuple[float, int] = (-1.0, -1)
        self._checked = 0.0
        self.reload()

    def _files(self) -> list[Path]:
        return sorted(self._root.glob("*/*.yml"))

    def _current_stamp(self) -> tuple[float, int]:
        files = [*self._files(), self._sources_path]
        mtimes = [f.stat().st_mtime for f in files if f.exists()]
        return (max(mtimes, default=0.0), len(mtimes))

    def reload(self) -> None:
        sources = load_sources(self._sources_path)
        answers = {}
        for path in self._files():
            answer = load_answer(path, sources)
            answers[(answer.intent, answer.language)] = answer
        with self._lock:
            self._answers = answers
            self._stamp = self._current_stamp()

    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if now - self._checked < self._check_every:
            return
        self._checked = now
        if self._current_stamp() != self._stamp:
            try:
                self.reload()
            except ContentError:
                # Keep serving the last good content; `brujula content validate` names the fault.
                self._stamp = self._current_stamp()

    def get(self, intent: str, languages: list[str]) -> Answer | None:
        """The first answer found along the language chain (e.g. ``["mam", "es"]``)."""
        self._maybe_reload()
        for lang in languages:
            answer = self._answers.get((intent, lang))
            if answer is not None:
                return answer
        return None

    def all(self) -> list[Answer]:
        self._maybe_reload()
        return list(self._answers.values())
