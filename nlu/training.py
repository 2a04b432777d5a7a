"""Assemble the training data (hand-written examples + places generated from the gazetteer) and
train the model with ``rasa train nlu`` in the Rasa environment, only when something changed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from nlu.paths import BUILD, CONFIG, DATA, MODELS, RASA_BIN, rasa_env
from referrals.places import DATA as PLACES_FILE
from referrals.places import Gazetteer, Place, normalise


def place_aliases(gazetteer: Gazetteer, path: Path = PLACES_FILE) -> dict[str, Place]:
    """Every alias → its place: the gazetteer's normalised aliases plus the spellings as written
    in the gazetteer file (lowercase, with accents: "querétaro", "ciudad juárez")."""
    aliases = gazetteer.aliases()
    out = dict(aliases)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for row in [*(data.get("states") or []), *(data.get("cities") or [])]:
        for alias in [row["name"], *(row.get("aliases") or [])]:
            written = " ".join(str(alias).lower().split())
            place = aliases.get(normalise(written))
            if place is not None and written not in out:
                out[written] = place
    return out


def places_training_data(gazetteer: Gazetteer, path: Path = PLACES_FILE) -> dict[str, Any]:
    """A lookup table and synonyms that map every alias to its canonical place.

    The lookup lists longer aliases first, so that a lookup regex prefers "oaxaca de juarez"
    to "oaxaca" and "nuevo leon" to "leon".
    """
    aliases = place_aliases(gazetteer, path)
    synonyms: dict[str, list[str]] = {}
    for alias, place in sorted(aliases.items()):
        if alias != place.label:
            synonyms.setdefault(place.label, []).append(alias)
    ordered = sorted(aliases, key=lambda a: (-len(a), a))
    nlu: list[dict[str, object]] = [{"lookup": "location", "examples": "".join(f"- {a}\n" for a in ordered)}]
    for value, words in sorted(synonyms.items()):
        nlu.append({"synonym": value, "examples": "".join(f"- {w}\n" for w in words)})
    return {"version": "3.1", "nlu": nlu}


def stage_data(build: Path = BUILD) -> Path:
    """Copy the hand-written data and write the generated places file into ``build/data``."""
    data_dir = build / "data"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    for src in sorted(DATA.rglob("*.yml")):
        dst = data_dir / src.relative_to(DATA)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    generated = places_training_data(Gazetteer.load(PLACES_FILE))
    (data_dir / "places.generated.yml").write_text(
        yaml.safe_dump(generated, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8"
    )
    return data_dir


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in [CONFIG, PLACES_FILE, *sorted(DATA.rglob("*.yml"))]:
        digest.update(str(path.relative_to(CONFIG.parent.parent)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(fp: str | None = None) -> Path:
    return MODELS / f"nlu-{fp or fingerprint()}.tar.gz"


def training_log(model: Path) -> Path:
    """Where the training of ``model`` was recorded (wall time, CPUs, when)."""
    return model.with_name(model.name.removesuffix(".tar.gz") + ".training.json")


def last_training(model: Path | None = None) -> dict[str, Any] | None:
    """The training record of ``model`` (default: the latest model), if it was trained here."""
    model = model or latest_model()
    if model is None or not training_log(model).exists():
        return None
    data: dict[str, Any] = json.loads(training_log(model).read_text(encoding="utf-8"))
    return data


def latest_model() -> Path | None:
    current = model_path()
    if current.exists():
        return current
    models = sorted(MODELS.glob("nlu-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def train(*, force: bool = False) -> tuple[Path, bool]:
    """Train if the data or config changed. Returns the model path and whether it trained."""
    fp = fingerprint()
    target = model_path(fp)
    if target.exists() and not force:
        return target, False
    if not RASA_BIN.exists():
        raise FileNotFoundError(f"Rasa is not installed at {RASA_BIN} (run `make setup`)")
    data_dir = stage_data()
    MODELS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    subprocess.run(
        [
            str(RASA_BIN),
            "train",
            "nlu",
            "--config",
            str(CONFIG),
            "--nlu",
            str(data_dir),
            "--out",
            str(MODELS),
            "--fixed-model-name",
            target.name.removesuffix(".tar.gz"),
        ],
        check=True,
        env=rasa_env(),
        cwd=str(BUILD),
    )
    seconds = time.monotonic() - started
    training_log(target).write_text(
        json.dumps(
            {
                "model": target.name,
                "seconds": round(seconds, 1),
                "cpus": os.cpu_count(),
                "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": "rasa train nlu",
            }
        ),
        encoding="utf-8",
    )
    for old in MODELS.glob("nlu-*"):
        if old not in (target, training_log(target)):
            old.unlink()
    return target, True
