"""The intent taxonomy (shared spec intents.md): the contract between NLU, content, referrals."""

from __future__ import annotations

TOPIC_INTENTS: tuple[str, ...] = (
    "asylum",
    "curp",
    "health",
    "education",
    "regularization",
    "work",
    "shelter",
    "legal_aid",
    "family",
    "violence",
    "return",
    "documents",
    "travel",
    "money",
    "emergency",
)

CONVERSATION_INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "human",
    "language",
    "help",
    "out_of_scope",
)

ALL_INTENTS: tuple[str, ...] = TOPIC_INTENTS + CONVERSATION_INTENTS

#: Topics for which a referral to a nearby service helps (and so the place is asked for).
REFERRAL_TOPICS: frozenset[str] = frozenset(
    {
        "asylum",
        "curp",
        "health",
        "education",
        "regularization",
        "work",
        "shelter",
        "legal_aid",
        "family",
        "violence",
        "return",
        "documents",
    }
)
