"""The safety net: danger now is caught in every language, ordinary needs are not alarms."""

from __future__ import annotations

import pytest

from bot import safety
from bot.safety import PHRASES, Danger, phrase_pattern
from nlu.examples import read_heldout, read_training
from nlu.paths import DATA, HELDOUT
from referrals.places import normalise


@pytest.mark.parametrize(
    ("text", "danger"),
    [
        # Spanish, the way people text
        ("nos tienen secuestrados", Danger.KIDNAPPING),
        ("AYUDA NOS VAN A MATAR", Danger.VIOLENCE),
        ("mi hijo no respira", Danger.MEDICAL),
        ("me quiero morir", Danger.SUICIDE),
        ("ya no quiero vivir", Danger.SUICIDE),
        ("nos estan disparando", Danger.VIOLENCE),
        ("está sangrando mucho", Danger.MEDICAL),
        ("somos como 30 encerrados en la caja de un trailer y no hay aire", Danger.TRAPPED),
        ("se lo llevo el rio a mi primo", Danger.DROWNING),
        ("estamos perdidos en medio del desierto sin agua", Danger.EXPOSURE),
        ("me estan violando", Danger.SEXUAL),
        ("se llevaron a mi niña en una camioneta", Danger.CHILD),
        ("unos tipos armados afuera del albergue", Danger.VIOLENCE),
        ("auxiliooo", Danger.CRY),
        ("ayudaaa porfa", Danger.CRY),
        # English, including non-native
        ("I want to die", Danger.SUICIDE),
        ("they kidnapped us", Danger.KIDNAPPING),
        ("my baby is not breathing", Danger.MEDICAL),
        ("we are locked in a truck container, cant breathe", Danger.TRAPPED),
        ("men with guns following us", Danger.VIOLENCE),
        ("my friend is drowning in the river", Danger.DROWNING),
        ("lost in the desert 2 days no water", Danger.EXPOSURE),
        ("help pls", Danger.CRY),
        # Haitian Creole, with and without diacritics
        ("mwen vle mouri", Danger.SUICIDE),
        ("yo pral touye nou", Danger.VIOLENCE),
        ("pitit mwen pa respire", Danger.MEDICAL),
        ("yo kenbe nou nan yon kay, yo mande ranson", Danger.KIDNAPPING),
        ("nou fèmen nan yon kamyon", Danger.TRAPPED),
        ("zanmi m ap nwaye", Danger.DROWNING),
        ("y ap vyole l", Danger.SEXUAL),
        ("m pèdi pitit mwen nan tèminal la", Danger.CHILD),
        ("anmwe", Danger.CRY),
        ("sekou tanpri", Danger.CRY),
    ],
)
def test_danger_phrases_are_caught(text: str, danger: Danger) -> None:
    assert safety.check(text) == danger


@pytest.mark.parametrize(
    "text",
    [
        "necesito asilo",
        "zamora michoacan",
        "hola buenos dias",
        "where is the shelter",
        "mwen bezwen yon doktè",
        "",
        "😀",
        "necesito ayuda con mi curp",  # "ayuda" in a question is not a cry
        "help me find a job please",
        "m ap mouri grangou, kote m ka manje",  # I am starving: a need for food, not an emergency
        "no hay aire acondicionado en el albergue",
        "my battery is dying, talk later",
        "vos sos de aqui?",
        "quiero saber si puedo trabajar",
        "me llamo Rosa y busco trabajo",
    ],
)
def test_ordinary_messages_are_not_emergencies(text: str) -> None:
    assert safety.check(text) is None


def test_stems_and_gaps() -> None:
    assert phrase_pattern("secuestr*") is not None
    assert safety.check("los secuestradores nos encontraron") is Danger.KIDNAPPING
    # "~" allows up to three words between
    assert safety.check("encerrados en un trailer") is Danger.TRAPPED
    assert safety.check("encerrados en la caja de un trailer") is Danger.TRAPPED
    assert safety.check("encerrados en esta bodega") is Danger.TRAPPED
    assert safety.check("encerrados desde ayer por la tarde en la bodega") is None  # too far apart
    assert phrase_pattern("~") is None


def test_whole_words_only() -> None:
    assert safety.check("zamora") is None  # "zam" (gun, in Creole) is a word of its own
    assert safety.check("yo gen zam") is Danger.VIOLENCE


def test_a_short_cry_needs_only_cry_words() -> None:
    assert safety.check("ayuda") is Danger.CRY
    assert safety.check("ayuda ayuda por favor") is Danger.CRY
    assert safety.check("ayuda con el tramite de la curp") is None
    assert safety.check(" ".join(["ayuda"] * 7)) is None  # too long to be a bare cry


@pytest.mark.parametrize("lang", ["es", "en", "ht"])
def test_every_language_covers_every_kind_of_danger(lang: str) -> None:
    for danger in Danger:
        assert PHRASES[lang].get(danger), f"{lang}: no phrases for {danger}"


def test_phrases_are_not_held_out_sentences() -> None:
    heldout = {normalise(ex.text) for ex in read_heldout(HELDOUT)}
    for phrases in PHRASES.values():
        for items in phrases.values():
            for phrase in items:
                assert normalise(phrase.replace("*", "").replace("~", "")) not in heldout, phrase


def test_false_alarms_on_ordinary_training_messages_stay_rare() -> None:
    ordinary = [ex for ex in read_training(DATA) if ex.intent != "emergency"]
    alarms = [ex.text for ex in ordinary if safety.check(ex.text) is not None]
    assert len(alarms) / len(ordinary) < 0.01, alarms


def test_training_emergencies_are_almost_all_caught() -> None:
    # The model catches what the phrases miss; the phrases alone must still catch nearly all.
    emergencies = [ex for ex in read_training(DATA) if ex.intent == "emergency"]
    missed = [ex.text for ex in emergencies if safety.check(ex.text) is None]
    assert len(missed) / len(emergencies) < 0.03, missed


def every_pattern_in_order(text: str, monkeypatch: pytest.MonkeyPatch) -> Danger | None:
    """``check`` without the first-word index: every phrase's pattern searched, in order."""
    every = range(len(safety._PHRASES.patterns))
    with monkeypatch.context() as patch:
        patch.setattr(safety._PHRASES, "candidates", lambda words: every)
        return safety.check(text)


def phrase_texts() -> list[str]:
    """Each phrase written out (stems completed, gaps filled), alone and after another one."""
    written = []
    for phrases in PHRASES.values():
        for items in phrases.values():
            written += [p.replace("*", "aron").replace("~", "en la casa") for p in items]
    return written + [f"{a} y luego {b}" for a, b in zip(written, reversed(written), strict=True)]


def test_the_first_word_index_finds_what_every_pattern_would(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = (
        phrase_texts() + [ex.text for ex in read_training(DATA)] + [ex.text for ex in read_heldout(HELDOUT)]
    )
    assert len(texts) > 3000
    found = [safety.check(t) for t in texts]
    assert sum(danger is not None for danger in found) > 1500  # the phrases themselves, at least
    assert found == [every_pattern_in_order(t, monkeypatch) for t in texts]
