"""Any topic's answer in two languages side by side (staff), and content review (coordinators)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.dialogue.menus import MENU_TOPICS, topic_label
from bot.languages import LANGUAGES
from content.answers import Answer, ContentError
from content.problems import Problem
from content.status import STALE_AFTER_DAYS
from desk.content_review import (
    AnswerEdit,
    AnswerFile,
    EditRefused,
    SectionEdit,
    open_answer,
    save_answer,
)
from desk.context import Desk
from desk.guard import Visitor, href
from desk.text import language_name

SUMMARY_MAX = 700  # the same limit as content.validation (a short chat answer)


def _pick(value: str | None, allowed: list[str] | tuple[str, ...], default: str) -> str:
    return value if value is not None and value in allowed else default


@dataclass(frozen=True, slots=True)
class Cell:
    intent: str
    language: str
    status: str  # reviewed | draft | missing
    last_reviewed: str
    stale: bool


class AnswerPages:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def _topics(self, visitor: Visitor) -> list[tuple[str, str]]:
        return [(intent, topic_label(visitor.text.catalog, intent)) for intent in MENU_TOPICS]

    def _languages(self) -> list[tuple[str, str]]:
        return [(code, language_name(code)) for code in LANGUAGES]

    def _exact(self, intent: str, language: str) -> Answer | None:
        found = self.desk.book.along(intent, [language])
        return found[0] if found else None

    async def side_by_side(self, request: Request, visitor: Visitor) -> Response:
        params = request.query_params
        codes = list(LANGUAGES)
        intent = _pick(params.get("topic"), MENU_TOPICS, MENU_TOPICS[0])
        left = _pick(params.get("left"), codes, "es")
        right = _pick(params.get("right"), codes, "en" if left != "en" else "es")
        answers = await asyncio.to_thread(lambda: (self._exact(intent, left), self._exact(intent, right)))
        return self.desk.render(
            request,
            visitor,
            "answers.html",
            {
                "topics": self._topics(visitor),
                "answer_languages": self._languages(),
                "intent": intent,
                "left": left,
                "right": right,
                "columns": [(left, answers[0]), (right, answers[1])],
                "language_name": language_name,
            },
            title=visitor.text.gettext("Answers side by side"),
        )

    # -- content review (coordinators) -----------------------------------------------------------

    async def overview(self, request: Request, visitor: Visitor) -> Response:
        today = self.desk.today()
        answers = await asyncio.to_thread(self.desk.book.all)
        by_key = {(a.intent, a.language): a for a in answers}
        grid = []
        for intent in MENU_TOPICS:
            cells = []
            for code in LANGUAGES:
                answer = by_key.get((intent, code))
                if answer is None:
                    cells.append(Cell(intent, code, "missing", "", False))
                    continue
                days = (today - answer.last_reviewed).days if answer.last_reviewed else None
                cells.append(
                    Cell(
                        intent,
                        code,
                        answer.status,
                        answer.last_reviewed.isoformat() if answer.last_reviewed else "",
                        days is None or days > STALE_AFTER_DAYS,
                    )
                )
            grid.append((intent, topic_label(visitor.text.catalog, intent), cells))
        return self.desk.render(
            request,
            visitor,
            "content.html",
            {
                "grid": grid,
                "answer_languages": self._languages(),
                "stale_days": STALE_AFTER_DAYS,
                "fault": self.desk.book.last_error,
            },
            title=visitor.text.gettext("Content review"),
        )

    def _key(self, request: Request) -> tuple[str, str] | None:
        intent = str(request.path_params.get("intent", ""))
        language = str(request.path_params.get("language", ""))
        if intent not in MENU_TOPICS or language not in LANGUAGES:
            return None
        return intent, language

    async def edit_form(self, request: Request, visitor: Visitor) -> Response:
        key = self._key(request)
        if key is None:
            return self.desk.error(request, visitor, 404, "missing")
        return await self._edit_page(request, visitor, *key)

    async def _edit_page(
        self,
        request: Request,
        visitor: Visitor,
        intent: str,
        language: str,
        *,
        submitted: AnswerEdit | None = None,
        problems: list[Problem] | None = None,
        stale: bool = False,
        status: int = 200,
    ) -> Response:
        t = visitor.text
        try:
            current: AnswerFile | None = await asyncio.to_thread(
                open_answer, self.desk.content, intent, language
            )
        except ContentError as exc:
            return self.desk.render(
                request,
                visitor,
                "error.html",
                {
                    "message": t.gettext(
                        "This answer file has a fault and cannot be edited here: {fault}", fault=str(exc)
                    ),
                    "status": 409,
                },
                status=409,
                title=t.gettext("Content review"),
            )
        if current is None:
            return self.desk.error(request, visitor, 404, "missing")
        answer = current.answer
        sections = [(s.key, s.title, s.text) for s in (submitted.sections if submitted else answer.sections)]
        reference = self._exact(intent, "es") if language != "es" else None
        return self.desk.render(
            request,
            visitor,
            "content_edit.html",
            {
                "intent": intent,
                "language": language,
                "language_name": language_name(language),
                "topic": topic_label(visitor.text.catalog, intent),
                "answer": answer,
                "digest": current.digest,
                "summary": submitted.summary if submitted else answer.summary,
                "sections": sections,
                "summary_max": SUMMARY_MAX,
                "problems": problems or [],
                "stale": stale,
                "reference": reference,
                "done": request.query_params.get("done", ""),
            },
            status=status,
            title=t.gettext(
                "Edit: {topic} ({language})",
                topic=topic_label(visitor.text.catalog, intent),
                language=language_name(language),
            ),
        )

    async def save(self, request: Request, visitor: Visitor) -> Response:
        assert visitor.signed is not None and visitor.form is not None
        key = self._key(request)
        if key is None:
            return self.desk.error(request, visitor, 404, "missing")
        intent, language = key
        form = visitor.form

        def field(name: str) -> str:
            value = form.get(name)
            return value if isinstance(value, str) else ""

        keys = [k for k in form.getlist("section") if isinstance(k, str)]
        edit = AnswerEdit(
            summary=field("summary"),
            sections=tuple(SectionEdit(k, field(f"title-{k}"), field(f"text-{k}")) for k in keys[:20]),
            mark_reviewed=field("action") == "review",
        )
        user = visitor.signed.user
        try:
            await asyncio.to_thread(
                save_answer,
                self.desk.content,
                self.desk.db,
                intent=intent,
                language=language,
                edit=edit,
                expected_digest=field("digest"),
                actor=user.username,
                reviewer=user.display_name,
                today=self.desk.today(),
            )
        except EditRefused as refused:
            return await self._edit_page(
                request,
                visitor,
                intent,
                language,
                submitted=edit,
                problems=refused.problems,
                stale=refused.stale,
                status=409 if refused.stale else 422,
            )
        done = "reviewed" if edit.mark_reviewed else "saved"
        return RedirectResponse(href(request, f"/content/{intent}/{language}?done={done}"), status_code=303)
