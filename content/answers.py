"""Knowledge answers: ``content/answers/<intent>/<language>.yml`` plus ``content/sources.yml``.

The book re-reads the files when any of them changes (checked at most every few seconds), so a
coordinator's edit shows up in the next conversation without a restart. A file with an error is
not loaded: the last good content keeps being served, the fault is logged with the file and key,
and ``brujula content validate`` names it.

Fallback along a language chain (``["mam", "es"]``): :meth:`AnswerBook.get` returns the first
answer found; when that answer has no detail sections of its own (the short answers in the
indigenous languages), it carries the sections of the next answer along the chain, each marked
with the language it is written in (:attr:`Section.language`).

An answer may name a voice recording (``audio: asylum/mam.ogg``, under ``content/audio/``) that
channels send as a voice message.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from content.problems import Problem

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ANSWERS = HERE / "answers"
SOURCES = HERE / "sources.yml"
AUDIO = HERE / "audio"
# libyaml's safe loader when PyYAML was built with it: ten times faster, so a reload does not stall.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SECTION_KEYS = ("steps", "documents", "where", "rights", "problems")
STATUSES = ("draft", "reviewed")
AUDIO_SUFFIXES = (".ogg", ".opus")


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
    language: str = ""  # set when the section comes from another language along the chain


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
    audio: Path | None = None  # an .ogg/.opus voice recording of the summary

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def reviewed(self) -> bool:
        return self.status == "reviewed"


class ContentError(ValueError):
    """A content file that cannot be used; the message names the file and the key."""

    def __init__(self, file: object, key: str, message: str) -> None:
        self.problem = Problem(str(file), key, message)
        super().__init__(str(self.problem))


def read_yaml(path: Path) -> object:
    """The YAML document in ``path``, parsed with a safe loader."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 - safe loader


def _yaml_error(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    return f"{getattr(exc, 'problem', None) or exc.__class__.__name__}{where}"


def _parse_date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ContentError(where, "last_reviewed", "not a date (YYYY-MM-DD)") from None


def load_sources(path: Path = SOURCES) -> dict[str, Source]:
    if not path.exists():
        return {}
    try:
        raw = read_yaml(path) or {}
    except yaml.YAMLError as exc:
        raise ContentError(path, "", f"not valid YAML ({_yaml_error(exc)})") from None
    if not isinstance(raw, dict):
        raise ContentError(path, "", "expected a mapping of source keys")
    out: dict[str, Source] = {}
    for key, row in raw.items():
        row = row or {}
        if not isinstance(row, dict):
            raise ContentError(path, str(key), "a source must be a mapping with title, url, date")
        out[str(key)] = Source(
            key=str(key),
            title=str(row.get("title") or key),
            url=row.get("url"),
            date=None if row.get("date") is None else str(row.get("date")),
        )
    return out


def _audio(value: object, where: str, audio_root: Path) -> Path | None:
    if value is None or value == "":
        return None
    rel = Path(str(value))
    if rel.is_absolute() or ".." in rel.parts:
        raise ContentError(where, "audio", "must be a path under content/audio/, e.g. asylum/mam.ogg")
    if rel.suffix.lower() not in AUDIO_SUFFIXES:
        raise ContentError(where, "audio", f"must be an .ogg or .opus file (got '{rel.suffix}')")
    path = audio_root / rel
    if not path.is_file():
        raise ContentError(where, "audio", f"content/audio/{rel.as_posix()} does not exist")
    return path


def load_answer(path: Path, sources: dict[str, Source], audio_root: Path = AUDIO) -> Answer:
    where = str(path)
    try:
        raw = read_yaml(path)
    except yaml.YAMLError as exc:
        raise ContentError(where, "", f"not valid YAML ({_yaml_error(exc)})") from None
    if not isinstance(raw, dict):
        raise ContentError(where, "", "expected a mapping of keys (intent, language, status…)")
    for key in ("intent", "language", "status", "last_reviewed", "summary", "sources"):
        if not raw.get(key):
            raise ContentError(where, key, "missing")
    if raw["status"] not in STATUSES:
        raise ContentError(where, "status", "must be draft or reviewed")
    if not isinstance(raw["sources"], list):
        raise ContentError(where, "sources", "must be a list of keys of content/sources.yml")
    sections = []
    for i, sec in enumerate(raw.get("sections") or []):
        if not isinstance(sec, dict) or not sec.get("key") or not sec.get("text"):
            raise ContentError(where, f"sections[{i}]", "needs key, title and text")
        sections.append(
            Section(str(sec["key"]), str(sec.get("title") or sec["key"]), str(sec["text"]).strip())
        )
    cited = []
    for key in raw["sources"]:
        if str(key) not in sources:
            raise ContentError(where, "sources", f"source '{key}' is not in content/sources.yml")
        cited.append(sources[str(key)])
    return Answer(
        intent=str(raw["intent"]),
        language=str(raw["language"]),
        status=str(raw["status"]),
        last_reviewed=_parse_date(raw.get("last_reviewed"), where),
        summary=str(raw["summary"]).strip(),
        sections=tuple(sections),
        sources=tuple(cited),
        reviewed_by=None if raw.get("reviewed_by") is None else str(raw["reviewed_by"]),
        audio=_audio(raw.get("audio"), where, audio_root),
    )


def check_placement(path: Path, answer: Answer) -> None:
    """The file must sit where its intent and language say: ``answers/<intent>/<language>.yml``."""
    if path.parent.name != answer.intent:
        raise ContentError(path, "intent", f"'{answer.intent}' does not match the folder {path.parent.name}/")
    if path.stem != answer.language:
        raise ContentError(path, "language", f"'{answer.language}' does not match the file name {path.name}")


class AnswerBook:
    """All answers, keyed by (intent, language), reloaded when the files change."""

    def __init__(
        self,
        root: Path = ANSWERS,
        sources: Path = SOURCES,
        *,
        check_every: float = 2.0,
        audio: Path | None = None,
    ) -> None:
        self._root = root
        self._sources_path = sources
        self._audio_root = audio if audio is not None else root.parent / "audio"
        self._check_every = check_every
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], Answer] = {}
        self._stamp: tuple[tuple[str, int, int], ...] = ()
        self._checked = 0.0
        self.last_error: str | None = None
        self.reload()

    @property
    def root(self) -> Path:
        return self._root

    def _files(self) -> list[Path]:
        return sorted(self._root.glob("*/*.yml"))

    def _current_stamp(self) -> tuple[tuple[str, int, int], ...]:
        watched = [*self._files(), self._sources_path]
        if self._audio_root.is_dir():
            watched += sorted(p for p in self._audio_root.rglob("*") if p.is_file())
        stamp = []
        for path in watched:
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            stamp.append((str(path), st.st_mtime_ns, st.st_size))
        return tuple(stamp)

    def reload(self) -> None:
        """Read every file; raises :class:`ContentError` (and keeps the old content) on a fault."""
        stamp = self._current_stamp()
        sources = load_sources(self._sources_path)
        answers = {}
        for path in self._files():
            answer = load_answer(path, sources, self._audio_root)
            check_placement(path, answer)
            answers[(answer.intent, answer.language)] = answer
        with self._lock:
            self._answers = answers
            self._stamp = stamp
            self.last_error = None

    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if now - self._checked < self._check_every:
            return
        self._checked = now
        stamp = self._current_stamp()
        if stamp != self._stamp:
            try:
                self.reload()
                log.info("content reloaded: %d answers", len(self._answers))
            except ContentError as exc:
                # Keep serving the last good content; `brujula content validate` names the fault.
                self._stamp = stamp
                self.last_error = str(exc)
                log.warning("content not reloaded, keeping the last good version: %s", exc)

    def along(self, intent: str, languages: list[str]) -> list[Answer]:
        """Every answer found along the language chain, in chain order."""
        self._maybe_reload()
        with self._lock:
            found = [self._answers.get((intent, lang)) for lang in languages]
        return [a for a in found if a is not None]

    def get(self, intent: str, languages: list[str]) -> Answer | None:
        """The first answer found along the language chain (e.g. ``["mam", "es"]``).

        If it has no sections, it carries those of the next answer along the chain that has
        some, each marked with its language, so detail buttons never disappear.
        """
        found = self.along(intent, languages)
        if not found:
            return None
        first = found[0]
        if first.sections:
            return first
        donor = next((a for a in found[1:] if a.sections), None)
        if donor is None:
            return first
        inherited = tuple(dataclasses.replace(s, language=donor.language) for s in donor.sections)
        return dataclasses.replace(first, sections=inherited)

    def all(self) -> list[Answer]:
        self._maybe_reload()
        with self._lock:
            return list(self._answers.values())
