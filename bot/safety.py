"""The safety net: phrases that mean danger now, checked locally before and besides the model.

An emergency must never be missed because the model is unsure, slow or down. Phrases are matched
on normalised text (lowercase, no accents, single spaces) as whole words; a phrase ending in
``*`` matches any word that starts with it ("secuestr*" → secuestrados, secuestraron).
"""

from __future__ import annotations

import re
from enum import StrEnum

from referrals.places import normalise


class Danger(StrEnum):
    KIDNAPPING = "kidnapping"
    VIOLENCE = "violence"
    MEDICAL = "medical"
    SUICIDE = "suicide"
    SEXUAL = "sexual"
    CHILD = "child"


_PHRASES: dict[Danger, tuple[str, ...]] = {
    Danger.KIDNAPPING: (
        # es
        "secuestr*",
        "nos tienen encerrad*",
        "me tienen encerrad*",
        "nos tienen amarrad*",
        "nos tienen retenid*",
        "me tienen retenid*",
        "no nos dejan salir",
        "no me dejan salir",
        "piden rescate",
        "pide rescate",
        "levantaron a",
        "se lo llevaron a la fuerza",
        "encerrados en un camion",
        "encerrados en la caja",
        "en la caja del trailer",
        "no hay aire",
        "nos estamos ahogando",
        # en
        "kidnap*",
        "being held",
        "they are holding us",
        "holding us",
        "locked in a truck",
        "locked in a trailer",
        "they wont let us leave",
        "they won t let us leave",
        "ransom*",
        "cant breathe in the truck",
        # ht
        "kidnape",
        "kidnap*",
        "yo kenbe nou",
        "yo fèmen nou",
        "yo femen nou",
        "yo mande ranson",
        "ranson*",
    ),
    Danger.VIOLENCE: (
        "nos van a matar",
        "me van a matar",
        "lo van a matar",
        "la van a matar",
        "nos quieren matar",
        "me quieren matar",
        "nos persiguen",
        "me persiguen",
        "nos vienen siguiendo",
        "me vienen siguiendo",
        "hombres armados",
        "tienen armas",
        "nos estan disparando",
        "estan disparando",
        "balacera",
        "me estan golpeando",
        "lo estan golpeando",
        "la estan golpeando",
        "nos estan golpeando",
        "going to kill",
        "gonna kill",
        "want to kill us",
        "following us",
        "following me",
        "armed men",
        "men with guns",
        "shooting at us",
        "beating me",
        "beating him",
        "beating her",
        "yo pral touye",
        "yo pral touye nou",
        "yo vle touye",
        "y ap touye",
        "yap touye",
        "moun ame",
        "zam",
        "yo ap swiv nou",
        "y ap swiv",
        "yap swiv",
        "yo ap bat",
    ),
    Danger.MEDICAL: (
        "no respira",
        "no puede respirar",
        "esta sangrando mucho",
        "sangra mucho",
        "mucha sangre",
        "se esta desangrando",
        "esta inconsciente",
        "no despierta",
        "convulsion*",
        "se esta ahogando",
        "se ahoga",
        "le dio un infarto",
        "esta muriendo",
        "se esta muriendo",
        "se me muere",
        "picadura de",
        "mordio una vibora",
        "not breathing",
        "cant breathe",
        "can t breathe",
        "bleeding a lot",
        "bleeding badly",
        "lot of blood",
        "unconscious",
        "wont wake up",
        "won t wake up",
        "seizure*",
        "drowning",
        "is dying",
        "heart attack",
        "pa respire",
        "pa ka respire",
        "ap senyen anpil",
        "senyen anpil",
        "san ap koule",
        "pedi konesans",
        "li pa reveye",
        "ap mouri",
        "kriz",
        "ap nwaye",
    ),
    Danger.SUICIDE: (
        "me quiero morir",
        "quiero morirme",
        "me quiero matar",
        "quitarme la vida",
        "suicid*",
        "ya no quiero vivir",
        "no quiero seguir viviendo",
        "acabar con mi vida",
        "terminar con mi vida",
        "me voy a matar",
        "mejor muerto",
        "mejor muerta",
        "want to die",
        "kill myself",
        "end my life",
        "dont want to live",
        "don t want to live",
        "better off dead",
        "end it all",
        "take my life",
        "mwen vle mouri",
        "m vle mouri",
        "touye tet mwen",
        "touye tèt mwen",
        "mwen pa vle viv",
        "m pa vle viv",
        "fini ak lavi mwen",
    ),
    Danger.SEXUAL: (
        "me estan violando",
        "la estan violando",
        "me violan",
        "abusando de mi ahora",
        "me quieren violar",
        "la quieren violar",
        "raping me",
        "being raped",
        "raping her",
        "trying to rape",
        "yo ap vyole",
        "y ap vyole",
        "yap vyole",
        "vyole m",
        "vle vyole",
    ),
    Danger.CHILD: (
        "nino solo perdido",
        "nina sola perdida",
        "perdi a mi hijo",
        "perdi a mi hija",
        "se llevaron a mi hijo",
        "se llevaron a mi hija",
        "se llevaron a mi nino",
        "lost my child",
        "lost my son",
        "lost my daughter",
        "took my child",
        "took my son",
        "took my daughter",
        "mwen pèdi pitit mwen",
        "mwen pedi pitit mwen",
        "yo pran pitit mwen",
    ),
}


def _compile() -> list[tuple[re.Pattern[str], Danger]]:
    compiled = []
    for danger, phrases in _PHRASES.items():
        for phrase in phrases:
            prefix = phrase.endswith("*")
            norm = normalise(phrase.rstrip("*"))
            if norm:
                end = "" if prefix else r"(?:\s|$)"
                compiled.append((re.compile(r"(?:^|\s)" + re.escape(norm) + end), danger))
    return compiled


_COMPILED = _compile()


def check(text: str) -> Danger | None:
    """The kind of danger the text names, or ``None``."""
    norm = normalise(text)
    if not norm:
        return None
    for pattern, danger in _COMPILED:
        if pattern.search(norm):
            return danger
    return None
