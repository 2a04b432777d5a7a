"""How far each language is: interface strings translated, answers reviewed / draft / missing, and
answers whose last review is too old. Shown by ``brujula content status [--json]``.

A leaf: the intents and languages are passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from content.answers import ANSWERS, SOURCES, Answer, AnswerBook
from content.catalogs import LOCALES, TEMPLATE, po_path, read_catalog, stats

STALE_AFTER_DAYS = 180


@dataclass(frozen=True, slots=True)
class Stale:
    intent: str
    language: str
    last_reviewed: date | None
    days: int | None  # days since the last review; None when never dated


@dataclass(frozen=True, slots=True)
class LanguageStatus:
    language: str
    interface_translated: int
    interface_total: int
    interface_review: str  # X-Review-Status of the catalog: draft | reviewed | unknown | missing
    reviewed: tuple[str, ...]  # intents with a reviewed answer in this language
    draft: tuple[str, ...]
    missing: tuple[str, ...]
    audio: tuple[str, ...] = field(default_factory=tuple)  # intents with a voice recording

    @property
    def interface_share(self) -> float:
        return self.interface_translated / self.interface_total if self.interface_total else 0.0

    def share(self, part: Sequence[str]) -> float:
        total = len(self.reviewed) + len(self.draft) + len(self.missing)
        return len(part) / total if total else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "language": self.language,
            "interface": {
                "translated": self.interface_translated,
                "total": self.interface_total,
                "share": round(self.interface_share, 3),
                "review": self.interface_review,
            },
            "answers": {
                "total": len(self.reviewed) + len(self.draft) + len(self.missing),
                "reviewed": len(self.reviewed),
                "draft": len(self.draft),
                "missing": len(self.missing),
                "reviewed_share": round(self.share(self.reviewed), 3),
                "draft_share": round(self.share(self.draft), 3),
                "missing_share": round(self.share(self.missing), 3),
                "missing_intents": list(self.missing),
                "with_audio": list(self.audio),
            },
        }


@dataclass(frozen=True, slots=True)
class ContentStatus:
    today: date
    stale_after_days: int
    languages: tuple[LanguageStatus, ...]
    stale: tuple[Stale, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "stale_after_days": self.stale_after_days,
            "languages": [lang.to_json() for lang in self.languages],
            "stale": [
                {
                    "intent": s.intent,
                    "language": s.language,
                    "last_reviewed": s.last_reviewed.isoformat() if s.last_reviewed else None,
                    "days": s.days,
                }
                for s in self.stale
            ],
        }


def _interface(language: str, locales: Path) -> tuple[int, int, str]:
    template_path = locales / TEMPLATE.name
    if not template_path.exists():
        return (0, 0, "missing")
    template = read_catalog(template_path)
    total = sum(1 for m in template if m.id)
    if language == "en":
        # msgids are English: the English interface is complete by construction.
        path = po_path(language, locales)
        review = stats(path, template).review_status if path.exists() else "unknown"
        return (total, total, review)
    path = po_path(language, locales)
    if not path.exists():
        return (0, total, "missing")
    found = stats(path, template, language)
    return (found.translated, found.total, found.review_status)


def content_status(
    *,
    intents: Sequence[str],
    languages: Sequence[str],
    today: date,
    root: Path = ANSWERS,
    sources: Path = SOURCES,
    locales: Path = LOCALES,
    stale_after_days: int = STALE_AFTER_DAYS,
    book: AnswerBook | None = None,
) -> ContentStatus:
    book = book or AnswerBook(root, sources, check_every=0.0)
    by_key: dict[tuple[str, str], Answer] = {(a.intent, a.language): a for a in book.all()}
    rows = []
    stale = []
    for lang in languages:
        reviewed: list[str] = []
        draft: list[str] = []
        missing: list[str] = []
        audio: list[str] = []
        for intent in intents:
            answer = by_key.get((intent, lang))
            if answer is None:
                missing.append(intent)
                continue
            (reviewed if answer.reviewed else draft).append(intent)
            if answer.audio is not None:
                audio.append(intent)
            days = (today - answer.last_reviewed).days if answer.last_reviewed else None
            if days is None or days > stale_after_days:
                stale.append(Stale(intent, lang, answer.last_reviewed, days))
        translated, total, review = _interface(lang, locales)
        rows.append(
            LanguageStatus(
                language=lang,
                interface_translated=translated,
                interface_total=total,
                interface_review=review,
                reviewed=tuple(reviewed),
                draft=tuple(draft),
                missing=tuple(missing),
                audio=tuple(audio),
            )
        )
    return ContentStatus(today, stale_after_days, tuple(rows), tuple(stale))
