"""Checks that the answers and the catalogs can be served safely; every fault names file and key.

Run by ``brujula content validate`` and by the test suite (so CI fails on a fault). The rules:

- every topic intent has an answer in every *required* (released) language;
- every file parses, sits at ``answers/<intent>/<language>.yml``, names its sources (keys of
  ``sources.yml``) and its review date; ``reviewed`` needs ``reviewed_by``; no unknown keys;
- the summary fits a chat message (≤ 700 characters); section titles fit a WhatsApp button
  (≤ 20 characters); section keys are the known ones, once each;
- no invented phone numbers: a translation may only contain phone numbers that the Spanish
  answer of the same intent contains; the emergency summary in every language carries every
  number of the Spanish one, 911 first (within its first 200 characters);
- released catalogs (``es``, ``en``, ``ht``) translate every msgid of ``messages.pot``, with
  nothing fuzzy; every catalog has a ``Plural-Forms`` header and keeps the msgid's
  ``{placeholders}``.

A leaf: the intents and languages are passed in (``bot`` and the tests know them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from content.answers import (
    ANSWERS,
    SECTION_KEYS,
    SOURCES,
    Answer,
    ContentError,
    check_placement,
    load_answer,
    load_sources,
    read_yaml,
)
from content.catalogs import LOCALES, TEMPLATE, check_catalog, languages_with_catalogs, po_path, read_catalog
from content.problems import Problem

SUMMARY_MAX = 700  # characters: a short chat answer
SECTION_TITLE_MAX = 20  # characters: a WhatsApp reply button title
CALLBACK_MAX = 64  # bytes: Telegram callback data ("sec:<intent>:<key>")
EMERGENCY_LEAD = 200  # 911 must appear within the first characters of the emergency summary
KNOWN_KEYS = frozenset(
    {
        "intent",
        "language",
        "status",
        "last_reviewed",
        "reviewed_by",
        "summary",
        "sections",
        "sources",
        "audio",
    }
)
REFERENCE_LANGUAGE = "es"

# Phone numbers as written in the answers: "800 911 2000", "55 5533 5533", "*0311", and the short
# national codes (911, and 089, 088, 079, 070, 065…: three digits starting with 0). Years, times
# and amounts ("10 000") are not phone numbers.
_BEFORE = r"(?<![\d*+])(?<!\d[:.,])"  # not inside a number, a time (9:00) or a decimal
_AFTER = r"(?!\d|[:.,]\d)"
_LONG_NUMBER = re.compile(
    _BEFORE + r"\+?\d{2,4}(?: \d{2,4}){1,4}" + _AFTER + "|" + _BEFORE + r"\d{7,}" + _AFTER
)
_SHORT_CODE = re.compile(_BEFORE + r"(?<!\d )(?:911|0\d\d)" + _AFTER + r"|(?<![\w*])\*\d{3,4}" + _AFTER)


def phone_numbers(text: str) -> set[str]:
    """Phone numbers in ``text``, spaces removed (``"800 911 2000"`` → ``"8009112000"``)."""
    found = set()
    rest = text
    for match in _LONG_NUMBER.finditer(text):
        digits = match.group().replace(" ", "")
        if len(digits.lstrip("+")) >= 7:
            found.add(digits)
            rest = rest.replace(match.group(), " ")  # "800 911 2000" holds no short code
    for match in _SHORT_CODE.finditer(rest):
        found.add(match.group())
    return found


def _full_text(answer: Answer) -> str:
    return "\n".join([answer.summary, *(s.text for s in answer.sections)])


def _file(root: Path, intent: str, lang: str) -> str:
    return str(root / intent / f"{lang}.yml")


def validate_answers(
    *,
    intents: Sequence[str],
    languages: Sequence[str],
    required: Sequence[str],
    root: Path = ANSWERS,
    sources: Path = SOURCES,
    audio: Path | None = None,
    today: date | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    try:
        cited = load_sources(sources)
    except ContentError as exc:
        return [exc.problem]
    audio_root = audio if audio is not None else root.parent / "audio"
    answers: dict[tuple[str, str], Answer] = {}
    for path in sorted(root.glob("*/*.yml")):
        where = str(path)
        if path.parent.name not in intents:
            problems.append(Problem(where, "intent", f"'{path.parent.name}' is not a topic intent"))
            continue
        if path.stem not in languages:
            problems.append(
                Problem(where, "language", f"'{path.stem}' is not a language of bot/languages.py")
            )
            continue
        try:
            answer = load_answer(path, cited, audio_root)
            check_placement(path, answer)
        except ContentError as exc:
            problems.append(exc.problem)
            continue
        problems += _unknown_keys(path)
        problems += _answer_rules(path, answer, today or date.today())
        answers[(answer.intent, answer.language)] = answer
    for intent in intents:
        for lang in required:
            if (intent, lang) not in answers and not (root / intent / f"{lang}.yml").exists():
                problems.append(
                    Problem(_file(root, intent, lang), "", "missing: every topic needs this language")
                )
    problems += _numbers(root, answers)
    return problems


def _unknown_keys(path: Path) -> list[Problem]:
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        return []
    return [
        Problem(str(path), str(key), f"unknown key (known: {', '.join(sorted(KNOWN_KEYS))})")
        for key in raw
        if key not in KNOWN_KEYS
    ]


def _answer_rules(path: Path, answer: Answer, today: date) -> list[Problem]:
    where = str(path)
    out = []
    if len(answer.summary) > SUMMARY_MAX:
        out.append(Problem(where, "summary", f"{len(answer.summary)} characters; at most {SUMMARY_MAX}"))
    if answer.status == "reviewed" and not answer.reviewed_by:
        out.append(Problem(where, "reviewed_by", "a reviewed answer names who reviewed it"))
    if answer.last_reviewed and answer.last_reviewed > today:
        out.append(Problem(where, "last_reviewed", f"{answer.last_reviewed} is in the future"))
    seen: set[str] = set()
    for i, section in enumerate(answer.sections):
        key = f"sections[{i}]"
        if section.key not in SECTION_KEYS:
            out.append(Problem(where, key, f"key '{section.key}' is not one of {', '.join(SECTION_KEYS)}"))
        if section.key in seen:
            out.append(Problem(where, key, f"key '{section.key}' appears twice"))
        seen.add(section.key)
        if len(section.title) > SECTION_TITLE_MAX:
            out.append(
                Problem(where, key, f"title {section.title!r} is {len(section.title)} characters; at most 20")
            )
        if len(f"sec:{answer.intent}:{section.key}".encode()) > CALLBACK_MAX:
            out.append(Problem(where, key, "button id over 64 bytes"))
    if answer.intent == "emergency" and "911" not in answer.summary[:EMERGENCY_LEAD]:
        out.append(
            Problem(
                where, "summary", f"the emergency summary names 911 in its first {EMERGENCY_LEAD} characters"
            )
        )
    return out


def _numbers(root: Path, answers: dict[tuple[str, str], Answer]) -> list[Problem]:
    out = []
    for (intent, lang), answer in sorted(answers.items()):
        reference = answers.get((intent, REFERENCE_LANGUAGE))
        if reference is None or lang == REFERENCE_LANGUAGE:
            continue
        invented = phone_numbers(_full_text(answer)) - phone_numbers(_full_text(reference))
        if invented:
            out.append(
                Problem(
                    _file(root, intent, lang),
                    "summary",
                    f"phone numbers not in the Spanish answer: {', '.join(sorted(invented))}",
                )
            )
        if intent == "emergency":
            dropped = phone_numbers(reference.summary) - phone_numbers(answer.summary)
            if dropped:
                out.append(
                    Problem(
                        _file(root, intent, lang),
                        "summary",
                        f"the emergency summary lacks the numbers {', '.join(sorted(dropped))}",
                    )
                )
    return out


def validate_catalogs(*, released: Sequence[str], locales: Path = LOCALES) -> list[Problem]:
    template_path = locales / TEMPLATE.name
    if not template_path.exists():
        return [Problem(str(template_path), "", "missing: run `make extract-messages`")]
    template = read_catalog(template_path)
    problems = []
    present = set(languages_with_catalogs(locales))
    for lang in released:
        if lang not in present:
            problems.append(
                Problem(str(po_path(lang, locales)), "", "missing catalog of a released language")
            )
    for lang in sorted(present):
        problems += check_catalog(po_path(lang, locales), template, complete=lang in released)
    return problems


def validate(
    *,
    intents: Sequence[str],
    languages: Sequence[str],
    released: Sequence[str],
    root: Path = ANSWERS,
    sources: Path = SOURCES,
    locales: Path = LOCALES,
    today: date | None = None,
) -> list[Problem]:
    """Every fault in the answers and the catalogs; an empty list means all is well."""
    return [
        *validate_answers(
            intents=intents, languages=languages, required=released, root=root, sources=sources, today=today
        ),
        *validate_catalogs(released=released, locales=locales),
    ]
