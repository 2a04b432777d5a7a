"""Offline language identification for short messages: es, en, ht, and fr/pt for the menu.

It only *suggests*: the language menu is shown in the suggested language first, and the person's
explicit choice always wins. Three signals are combined:

1. py3langid's character model, restricted to es/en/ht/fr/pt (it knows Haitian Creole);
2. short, frequent words of each language ("mwen", "necesito", "the", "je", "preciso"), which
   settle a one-to-three-word message better than character statistics;
3. a prior: most people who write are Spanish speakers, then English and Creole; French and
   Portuguese need clear evidence (they only change the menu's language).

Words every language borrows in Mexico ("curp", "comar", "inm", "albergue"…) carry no vote.
Text without Latin letters (emoji, digits, Cyrillic, Arabic…) gives ``None``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

CANDIDATES = ("es", "en", "ht", "fr", "pt")

#: How often each language is written to the assistant (a rough prior, not a measurement).
PRIOR = {"es": 0.55, "en": 0.2, "ht": 0.2, "fr": 0.025, "pt": 0.025}

#: Weight of one hint word against the character model's log-probability.
HINT_WEIGHT = 2.8


def _words(text: str) -> list[str]:
    return text.split()


_HINTS: dict[str, frozenset[str]] = {
    "ht": frozenset(
        _words(
            """
            mèsi mwen m nou yo li ou w pou nan ak se pa ki kote kijan kisa kilè kiyes bezwen vle gen
            konn fe fè ka kapab te ap pral bonjou bonswa mesi tanpri pitit travay lekol lekòl
            lopital papye lajan kay moun isit kounye jodi demen ede èd sa yon anpil tout men sou avè
            avek avèk ayiti ayisyen kreyol kreyòl refij azil dokiman paspo manje dòmi domi timoun
            madanm mari frè fre sè se konsa tou poukisa poutèt paske kòb kob pale sak pase wi non
            byen mal malad doktè dokte
            """
        )
    ),
    "es": frozenset(
        _words(
            """
            hola buenas buenos necesito nesesito ocupo ayuda ayudenme quiero kiero donde dónde como
            cómo gracias grax tengo estoy para por que qué ke q xq pa porfa porfavor el los las del
            hay puedo puede pueden mi mis me con una sin hijo hija hijos esposo esposa pais país
            aqui aquí ahora cuanto cuánto tramite trámite pasaporte documentos papeles trabajo
            chamba empleo busco saber sacar hacer tiene tienen nos les usted ustedes también tambien
            si sí no es son esta está escuela salud dinero abogado regresar volver mande oiga ahi
            ahí vez voy estamos somos
            """
        )
    ),
    "en": frozenset(
        _words(
            """
            hello hi hey help need where how what when who why thanks thank please pls the and to
            for of my i im i'm is are can do does get want you u with from this that there have has
            job work bank card school money find lost go back am was will would should could any
            some about i'm don't can't it's
            """
        )
    ),
    "fr": frozenset(
        _words(
            """
            bonjour merci je suis j ai besoin aide où comment vous parlez français francais est une
            avec mon ma mes cherche travail avocat demande asile oui nous très ici plaît plait j'ai
            l'asile s'il c'est qu'il salut beaucoup
            """
        )
    ),
    "pt": frozenset(
        _words(
            """
            olá obrigado obrigada preciso ajuda onde você voce português portugues não nao estou eu
            tenho meu minha trabalho fala falo bom boa noite com um uma são muito
            """
        )
    ),
}

#: Borrowed everywhere in this domain: no vote for any language.
NEUTRAL = frozenset(
    [
        "curp",
        "comar",
        "inm",
        "tvrh",
        "cbp",
        "one",
        "sat",
        "rfc",
        "nss",
        "ine",
        "imss",
        "acnur",
        "oim",
        "albergue",
        "casa",
        "migrante",
        "consulado",
        "ok",
        "okay",
        "bye",
        "info",
        "menu",
        "sos",
    ]
)

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(CANDIDATES))
    return ident


def has_letters(text: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def _latin(words: list[str]) -> bool:
    return any("LATIN" in unicodedata.name(ch, "") for w in words for ch in w)


def scores(text: str) -> dict[str, float] | None:
    """A score per candidate language (higher is likelier), or ``None`` when there is nothing to go on."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words or not _latin(words):
        return None
    voting = [w for w in words if w not in NEUTRAL]
    hints = {lang: sum(1 for w in voting if w in _HINTS[lang]) for lang in CANDIDATES}
    best = max(hints.values())
    if len(voting) <= 3 and best > 0 and list(hints.values()).count(best) == 1:
        # One to three words and one language's hints only: the words settle it.
        return {lang: (0.0 if hints[lang] == best else -10.0) for lang in CANDIDATES}
    if not voting:
        return {lang: math.log(PRIOR[lang]) for lang in CANDIDATES}
    ranked = dict(_identifier().rank(" ".join(voting)))
    return {
        lang: math.log(max(float(ranked.get(lang, 0.0)), 1e-6))
        + math.log(PRIOR[lang])
        + HINT_WEIGHT * hints[lang]
        for lang in CANDIDATES
    }


def detect(text: str) -> str | None:
    """The most likely of es/en/ht/fr/pt, or ``None`` when there is nothing to go on."""
    result = scores(text)
    if result is None:
        return None
    return max(result, key=lambda lang: result[lang])
