"""Natural-language understanding: the Rasa project (data, config) and the client the bot uses.

Nothing here imports ``rasa``: Rasa runs in its own environment (``.venv-rasa``) as a service.
"""

from nlu.client import Classifier, Entity, NluUnavailable, Parse, RasaNluClient

__all__ = ["Classifier", "Entity", "NluUnavailable", "Parse", "RasaNluClient"]
