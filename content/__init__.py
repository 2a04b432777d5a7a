"""Reviewed knowledge answers per intent and language. A leaf: never imports bot."""

from content.answers import Answer, AnswerBook, Section, Source

__all__ = ["Answer", "AnswerBook", "Section", "Source"]
