"""The conversations of the load bench: what people in a surge write, in es, en and ht.

Each script is a first contact (a greeting in the person's words), the language choice and the
privacy consent (button taps), then free-text questions, a topic button, a place (in words or a
shared location) — the turns a real person takes. A script is played the same way on Telegram
and WhatsApp; a person is one script on one channel.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Step:
    kind: str  # "text", "tap" or "location"
    text: str = ""
    latitude: float = 0.0
    longitude: float = 0.0


def text(value: str) -> Step:
    return Step("text", value)


def tap(choice: str) -> Step:
    return Step("tap", choice)


def location(latitude: float, longitude: float) -> Step:
    return Step("location", latitude=latitude, longitude=longitude)


def _start(greeting: str, language: str) -> list[Step]:
    return [text(greeting), tap(f"lang:{language}"), tap("consent:yes")]


SCRIPTS: dict[str, list[Step]] = {
    "es-doctor": [
        *_start("hola", "es"),
        text("necesito un doctor"),
        text("Querétaro"),
        text("cómo saco la CURP"),
    ],
    "es-shelter": [
        *_start("buenas tardes", "es"),
        tap("topic:shelter"),
        location(20.59, -100.39),
        text("dónde puedo pedir asilo"),
    ],
    "es-work": [
        *_start("hola necesito ayuda", "es"),
        text("quiero trabajar, dónde busco empleo"),
        text("Tijuana"),
        text("mi hijo necesita ir a la escuela"),
    ],
    "es-papers": [
        *_start("buenos días", "es"),
        text("cómo regularizo mi situación migratoria"),
        tap("topic:legal_aid"),
        text("Ciudad de México"),
    ],
    "en-asylum": [
        *_start("hello", "en"),
        text("how do I apply for asylum in Mexico"),
        text("Tapachula"),
        text("I need a doctor"),
    ],
    "en-shelter": [
        *_start("hi, I need help", "en"),
        tap("topic:shelter"),
        location(32.52, -117.04),
        text("can my children go to school here"),
    ],
    "en-work": [
        *_start("good morning", "en"),
        text("where can I find a job"),
        text("Monterrey"),
        text("how do I get a CURP"),
    ],
    "ht-doctor": [
        *_start("bonjou", "ht"),
        text("mwen bezwen yon doktè"),
        text("Tijuana"),
        text("kijan pou m jwenn CURP"),
    ],
    "ht-asylum": [
        *_start("bonswa, mwen bezwen èd", "ht"),
        text("kijan pou m mande azil"),
        text("Tapachula"),
        tap("topic:shelter"),
    ],
    "ht-work": [
        *_start("bonjou zanmi", "ht"),
        text("mwen vle travay, kote pou m chèche travay"),
        location(19.43, -99.13),
        text("pitit mwen bezwen ale lekòl"),
    ],
}
