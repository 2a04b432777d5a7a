"""Natural-language understanding: the Rasa project (data, config) and the client the bot uses.

Nothing here imports ``rasa`` except the modules that run *inside* the Rasa environment
(``nlu.server``, ``nlu.crossval``), and those are never imported by the app. The client is loaded
lazily so that the Rasa environment (which has no httpx) can import the pure modules of this
package (``nlu.examples``, ``nlu.metrics``, ``nlu.textguard``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlu.client import Classifier, Entity, NluUnavailable, Parse, RasaNluClient

__all__ = ["Classifier", "Entity", "NluUnavailable", "Parse", "RasaNluClient"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from nlu import client

        return getattr(client, name)
    raise AttributeError(f"module 'nlu' has no attribute {name!r}")
