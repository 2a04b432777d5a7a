"""Outbound → WhatsApp payloads: buttons, lists, pages, pins, location requests, within the limits."""

from __future__ import annotations

import pytest

from bot.channels.whatsapp_payloads import Labels, Message, addressed, render, shorten, split_for_body
from bot.dialogue import menus
from bot.dialogue.render import answer_message, sources_message
from bot.i18n import translations
from bot.languages import LANGUAGES, chain
from bot.messages import Choice, Location, Outbound
from content import AnswerBook
from nlu.intents import TOPIC_INTENTS
from tests.fake_graph import FakeGraph, problems

LABELS = Labels(list_button="See options", more="More options ({page} of {pages}):")


def choices(n: int, label: str = "Option") -> tuple[Choice, ...]:
    return tuple(Choice(f"opt:{i}", f"{label} {i}") for i in range(1, n + 1))


def payloads(reply: Outbound) -> list[dict[str, object]]:
    out = [addressed(m, "16505550123") for m in render(reply, LABELS)]
    for payload in out:
        assert problems(payload) == [], payload
    return out


def test_plain_text_is_one_text_message_without_link_previews() -> None:
    (payload,) = payloads(Outbound("Hola"))
    assert payload == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505550123",
        "type": "text",
        "text": {"body": "Hola", "preview_url": False},
    }


def test_a_business_scoped_user_id_is_addressed_as_recipient() -> None:
    (message,) = render(Outbound("Hola"), LABELS)
    payload = addressed(message, "MX.1234567890")
    assert payload["recipient"] == "MX.1234567890" and "to" not in payload


def test_long_text_is_split_at_4096_on_word_boundaries() -> None:
    text = ("palabra " * 1200).strip()  # 9599 characters
    sent = payloads(Outbound(text))
    assert [p["type"] for p in sent] == ["text", "text", "text"]
    bodies = [FakeGraph.text_of(p) for p in sent]
    assert all(len(b) <= 4096 for b in bodies)
    assert " ".join(bodies) == text  # nothing lost, no word cut


@pytest.mark.parametrize("n", [1, 2, 3])
def test_up_to_three_choices_are_reply_buttons(n: int) -> None:
    (payload,) = payloads(Outbound("¿Qué necesitas?", choices(n)))
    interactive = payload["interactive"]
    assert isinstance(interactive, dict) and interactive["type"] == "button"
    assert interactive["body"] == {"text": "¿Qué necesitas?"}
    assert FakeGraph.choices_of(payload) == [f"opt:{i}" for i in range(1, n + 1)]


@pytest.mark.parametrize("n", [4, 7, 10])
def test_four_to_ten_choices_are_one_list(n: int) -> None:
    (payload,) = payloads(Outbound("Elige un tema:", choices(n)))
    interactive = payload["interactive"]
    assert isinstance(interactive, dict) and interactive["type"] == "list"
    assert interactive["action"]["button"] == "See options"
    assert FakeGraph.choices_of(payload) == [f"opt:{i}" for i in range(1, n + 1)]


@pytest.mark.parametrize(("n", "sizes"), [(11, [6, 5]), (17, [9, 8]), (25, [9, 8, 8]), (100, [10] * 10)])
def test_more_than_ten_choices_are_paged_in_order_and_none_is_dropped(n: int, sizes: list[int]) -> None:
    sent = payloads(Outbound("Elige un tema:", choices(n)))
    assert [len(FakeGraph.choices_of(p)) for p in sent] == sizes
    assert [c for p in sent for c in FakeGraph.choices_of(p)] == [f"opt:{i}" for i in range(1, n + 1)]
    assert FakeGraph.text_of(sent[0]) == "Elige un tema:"
    assert FakeGraph.text_of(sent[1]) == f"More options (2 of {len(sizes)}):"


def test_long_labels_are_shortened_cleanly_and_the_full_label_is_the_row_description() -> None:
    long = "Solicitar la condición de refugiado ante la COMAR"
    (buttons,) = payloads(Outbound("?", (Choice("a", long), Choice("b", "Sí"))))
    titles = [b["reply"]["title"] for b in buttons["interactive"]["action"]["buttons"]]  # type: ignore[index]
    assert titles == ["Solicitar la…", "Sí"]
    (listing,) = payloads(Outbound("?", (Choice("a", long), *choices(4))))
    row = listing["interactive"]["action"]["sections"][0]["rows"][0]  # type: ignore[index]
    assert row["title"] == "Solicitar la condición…"
    assert row["description"] == long
    assert "description" not in listing["interactive"]["action"]["sections"][0]["rows"][1]  # type: ignore[index]


def test_titles_that_become_equal_when_shortened_stay_distinct() -> None:
    (payload,) = payloads(
        Outbound(
            "?", (Choice("a", "Información sobre el asilo"), Choice("b", "Información sobre el trabajo"))
        )
    )
    titles = [b["reply"]["title"] for b in payload["interactive"]["action"]["buttons"]]  # type: ignore[index]
    assert len(set(titles)) == 2 and all(len(t) <= 20 for t in titles)


def test_shorten_never_exceeds_the_limit() -> None:
    for text in ["a" * 50, "uno dos tres cuatro cinco seis", "Kreyòl ayisyen ak lòt lang", "😀" * 30, "x"]:
        for limit in (3, 20, 24, 72):
            assert len(shorten(text, limit)) <= limit


def test_a_text_too_long_for_an_interactive_body_goes_first_as_plain_text() -> None:
    summary = "\n\n".join(f"Párrafo {i}: " + "texto " * 60 for i in range(5))  # ~1900 characters
    sent = payloads(Outbound(summary, choices(2)))
    assert [p["type"] for p in sent] == ["text", "interactive"]
    body = FakeGraph.text_of(sent[1])
    assert len(body) <= 1024 and body.startswith("Párrafo")  # cut at a paragraph
    assert " ".join((FakeGraph.text_of(sent[0]) + " " + body).split()) == " ".join(summary.split())


def test_split_for_body_keeps_short_text_whole() -> None:
    assert split_for_body("corto", 1024) == ("", "corto")


def test_map_pin_and_location_request() -> None:
    reply = Outbound(
        "Casa del Migrante (ejemplo)",
        (Choice("menu", "Menú principal"),),
        location=Location(20.5888, -100.3899),
        location_title="Casa del Migrante (ejemplo)",
        request_location="Compartir mi ubicación",
    )
    kinds = [m.kind for m in render(reply, LABELS)]
    assert kinds == ["buttons", "location", "location_request"]
    sent = payloads(reply)
    assert sent[1]["location"] == {
        "latitude": 20.5888,
        "longitude": -100.3899,
        "name": "Casa del Migrante (ejemplo)",
    }
    assert sent[2]["interactive"] == {
        "type": "location_request_message",
        "body": {"text": "Compartir mi ubicación"},
        "action": {"name": "send_location"},
    }


def test_invalid_coordinates_are_not_sent() -> None:
    assert [m.kind for m in render(Outbound("x", location=Location(200.0, 0.0)), LABELS)] == ["text"]


def test_overlong_or_duplicate_ids_are_left_out_and_the_rest_still_sent() -> None:
    reply = Outbound(
        "?", (Choice("x" * 201, "Too long"), Choice("a", "A"), Choice("a", "A again"), Choice("b", "B"))
    )
    (payload,) = payloads(reply)
    assert FakeGraph.choices_of(payload) == ["a", "b"]


def test_every_interactive_message_has_a_text_fallback_with_its_labels() -> None:
    messages = render(Outbound("Elige:", choices(12)), LABELS)
    assert len(messages) == 2
    for message in messages:
        assert isinstance(message, Message) and message.fallback is not None
        ids = FakeGraph.choices_of(message.payload)
        assert ids and all(f"• Option {i.split(':')[1]}\n" in message.fallback + "\n" for i in ids)


# -- every answer in every language, as the engine renders it, fits WhatsApp -----------------------


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_answer_section_and_menu_renders_within_whatsapp_limits(lang: str) -> None:
    book = AnswerBook()
    t = translations(lang)
    labels = Labels(t.gettext("See options"), t.gettext("More options ({page} of {pages}):"))
    replies = [
        Outbound(
            t.gettext("Write your question in your own words, or choose a topic:"), menus.topic_choices(t)
        ),
        Outbound("?", menus.language_choices()),
    ]
    for intent in TOPIC_INTENTS:
        answer = book.get(intent, chain(lang))
        if answer is None:
            continue
        replies.append(answer_message(t, answer, lang))
        replies.append(sources_message(t, answer, lang))
        for section in answer.sections:
            replies.append(Outbound(f"{section.title}\n\n{section.text}", (menus.menu_choice(t),)))
    for reply in replies:
        sent = [addressed(m, "16505550123") for m in render(reply, labels)]
        for payload in sent:
            assert problems(payload) == [], (lang, payload)
        offered = [c for p in sent for c in FakeGraph.choices_of(p)]
        assert offered == list(dict.fromkeys(c.id for c in reply.choices)), lang  # none dropped
