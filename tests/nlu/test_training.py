"""The generated place data and the training record (no Rasa needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlu import training
from nlu.training import last_training, place_aliases, places_training_data, training_log
from referrals.places import default_gazetteer


def test_lookup_lists_longer_aliases_first() -> None:
    data = places_training_data(default_gazetteer())
    lookup = [ln[2:] for ln in data["nlu"][0]["examples"].splitlines()]
    assert lookup.index("oaxaca de juarez") < lookup.index("oaxaca")
    assert lookup.index("nuevo leon") < lookup.index("leon")
    assert len(lookup) == len(set(lookup))


def test_spellings_with_accents_map_to_the_canonical_place() -> None:
    aliases = place_aliases(default_gazetteer())
    assert aliases["querétaro"].label == "Querétaro"
    assert aliases["ciudad juárez"].label == aliases["juarez"].label == "Ciudad Juárez, Chihuahua"
    synonyms = {
        b["synonym"]: b["examples"]
        for b in places_training_data(default_gazetteer())["nlu"]
        if "synonym" in b
    }
    assert "- querétaro\n" in synonyms["Querétaro"]
    assert "- qro\n" in synonyms["Querétaro"]


def test_training_record_is_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = tmp_path / "nlu-abc.tar.gz"
    model.write_bytes(b"")
    assert last_training(model) is None
    training_log(model).write_text(json.dumps({"model": model.name, "seconds": 291.5}), encoding="utf-8")
    assert training_log(model).name == "nlu-abc.training.json"
    record = last_training(model)
    assert record is not None and record["seconds"] == 291.5
    monkeypatch.setattr(training, "MODELS", tmp_path)
    monkeypatch.setattr(training, "fingerprint", lambda: "nothing-trained")
    assert training.latest_model() == model
