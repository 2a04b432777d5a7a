"""Coordinators' content review: edit an answer's summary and sections, mark it reviewed.

An edit is checked before anything is written: the new file must load
(:func:`content.answers.load_answer`, :func:`content.answers.check_placement`) and must not add a
fault that ``brujula content validate`` would report for its topic — summary too long, a section
title that does not fit a button, a phone number that the Spanish answer does not have, an
emergency summary without 911 up front… Faults that were already there do not block an edit
(fixing one thing must not require fixing everything). The file must also be the version the
coordinator opened; otherwise someone else saved in between and the edit is refused.

Then the file is replaced atomically and the change goes to the audit log, whole file before →
after, in one step (see :func:`save_answer`).
"""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from content.answers import SOURCES, Answer, ContentError, check_placement, load_answer, load_sources
from content.problems import Problem
from content.validation import validate_answers
from desk.answer_files import clean_text, digest, dump, leading_comments, parse, write_atomically
from desk.audit import Action, record


@dataclass(frozen=True, slots=True)
class AnswerFile:
    intent: str
    language: str
    path: Path
    text: str
    answer: Answer

    @property
    def digest(self) -> str:
        return digest(self.text)


@dataclass(frozen=True, slots=True)
class SectionEdit:
    key: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class AnswerEdit:
    summary: str
    sections: tuple[SectionEdit, ...] = ()
    mark_reviewed: bool = False


@dataclass(frozen=True, slots=True)
class Saved:
    before: str
    after: str
    answer: Answer

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(slots=True)
class EditRefused(Exception):
    """Nothing was written. ``stale``: the file changed since it was opened."""

    problems: list[Problem] = field(default_factory=list)
    stale: bool = False

    def __str__(self) -> str:
        if self.stale:
            return "the file changed since it was opened"
        return "; ".join(str(p) for p in self.problems)


@dataclass(frozen=True, slots=True)
class ContentPlace:
    """Where the answers live and what the validator must know."""

    root: Path
    intents: Sequence[str]
    languages: Sequence[str]
    sources: Path = SOURCES
    audio: Path | None = None

    @property
    def audio_root(self) -> Path:
        return self.audio if self.audio is not None else self.root.parent / "audio"

    def path(self, intent: str, language: str) -> Path:
        if intent not in self.intents or language not in self.languages:
            raise KeyError(f"{intent}/{language}")
        return self.root / intent / f"{language}.yml"


def open_answer(place: ContentPlace, intent: str, language: str) -> AnswerFile | None:
    """The answer file as it is now, or ``None`` if there is none (or it cannot be loaded)."""
    try:
        path = place.path(intent, language)
    except KeyError:
        return None
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    try:
        answer = load_answer(path, load_sources(place.sources), place.audio_root)
    except ContentError:
        return None
    return AnswerFile(intent, language, path, text, answer)


def apply_edit(text: str, edit: AnswerEdit, *, reviewer: str, today: date) -> str:
    """The file's new text: summary and section titles/texts replaced; reviewed if asked.

    Sections are matched by key; a key the file does not have is ignored (sections are added by
    the content team, with their sources). Without ``mark_reviewed`` the answer becomes a draft,
    keeping the date and name of its last review.
    """
    raw = parse(text)
    raw["summary"] = clean_text(edit.summary)
    by_key = {s.key: s for s in edit.sections}
    sections = raw.get("sections") or []
    for section in sections:
        if isinstance(section, dict) and section.get("key") in by_key:
            change = by_key[str(section["key"])]
            section["title"] = " ".join(change.title.split())
            section["text"] = clean_text(change.text)
    if edit.mark_reviewed:
        raw["status"] = "reviewed"
        raw["reviewed_by"] = " ".join(reviewer.split())
        raw["last_reviewed"] = today
    else:
        raw["status"] = "draft"
    return dump(raw, comments=leading_comments(text))


def _problems(place: ContentPlace, intent: str, folder: Path, today: date) -> set[tuple[str, str, str]]:
    found = validate_answers(
        intents=[intent],
        languages=place.languages,
        required=[],
        root=folder,
        sources=place.sources,
        audio=place.audio_root,
        today=today,
    )
    return {(Path(p.file).name, p.key, p.message) for p in found}


def check_edit(place: ContentPlace, intent: str, language: str, new_text: str, today: date) -> list[Problem]:
    """What ``new_text`` would break for this topic (faults already there are not counted)."""
    current = place.root / intent
    with tempfile.TemporaryDirectory(prefix="brujula-review-") as tmp:
        before_root = Path(tmp) / "before"
        after_root = Path(tmp) / "after"
        shutil.copytree(current, before_root / intent)
        shutil.copytree(current, after_root / intent)
        staged = after_root / intent / f"{language}.yml"
        staged.write_text(new_text, encoding="utf-8")
        try:
            check_placement(staged, load_answer(staged, load_sources(place.sources), place.audio_root))
        except ContentError as exc:
            return [Problem(f"{intent}/{language}.yml", exc.problem.key, exc.problem.message)]
        new = _problems(place, intent, after_root, today) - _problems(place, intent, before_root, today)
    return [Problem(f"{intent}/{name}", key, message) for name, key, message in sorted(new)]


def save_answer(
    place: ContentPlace,
    engine: Engine,
    *,
    intent: str,
    language: str,
    edit: AnswerEdit,
    expected_digest: str,
    actor: str,
    reviewer: str,
    today: date,
) -> Saved:
    """Check, write atomically and audit an edit. Raises :class:`EditRefused` (nothing written)."""
    path = place.path(intent, language)
    with path.open("rb") as locked:
        # One editor at a time per file, across workers; the digest check below sees the file
        # another editor may just have replaced.
        fcntl.flock(locked.fileno(), fcntl.LOCK_EX)
        before = path.read_text(encoding="utf-8")
        if digest(before) != expected_digest:
            raise EditRefused(stale=True)
        after = apply_edit(before, edit, reviewer=reviewer, today=today)
        problems = check_edit(place, intent, language, after, today)
        if problems:
            raise EditRefused(problems=problems)
        if after != before:
            with Session(engine) as db:
                record(
                    db,
                    actor=actor,
                    action=Action.CONTENT_REVIEW if edit.mark_reviewed else Action.CONTENT_EDIT,
                    target=f"content/answers/{intent}/{language}.yml",
                    before=before,
                    after=after,
                )
                db.flush()  # the entry is valid and the database answers before the file changes
                write_atomically(path, after)
                try:
                    db.commit()
                except BaseException:
                    write_atomically(path, before)  # no change without its audit entry
                    raise
        answer = load_answer(path, load_sources(place.sources), place.audio_root)
    return Saved(before=before, after=after, answer=answer)
