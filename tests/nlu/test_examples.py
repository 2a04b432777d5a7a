"""Reading Rasa YAML into examples and writing it back."""

from __future__ import annotations

from pathlib import Path

import yaml

from nlu.examples import parse_line, read_file, read_heldout, read_training, to_rasa_yaml
from nlu.paths import DATA, HELDOUT


def test_entity_markup_is_removed_and_kept_apart() -> None:
    ex = parse_line("busco albergue en [qro](location) y [tijuana](location)", "shelter", "es")
    assert ex.text == "busco albergue en qro y tijuana"
    assert ex.entities == (("location", "qro"), ("location", "tijuana"))
    assert ex.marked.startswith("busco albergue en [qro]")


def test_round_trip_through_rasa_yaml(tmp_path: Path) -> None:
    examples = [
        parse_line("necesito asilo en [tapachula](location)", "asylum", "es"),
        parse_line("hola", "greet", "es"),
        parse_line("oi: dos puntos y 'comillas'", "greet", "es"),
    ]
    path = tmp_path / "x.yml"
    path.write_text(to_rasa_yaml(examples), encoding="utf-8")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["version"] == "3.1"
    assert read_file(path, "es") == examples


def test_lookup_and_synonym_blocks_are_not_examples(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- lookup: location\n  examples: |\n    - qro\n'
        "- intent: greet\n  examples: |\n    - hola\n",
        encoding="utf-8",
    )
    assert [e.text for e in read_file(path, "es")] == ["hola"]


def test_the_project_sets_read_in_every_language() -> None:
    training = read_training(DATA)
    heldout = read_heldout(HELDOUT)
    assert {e.language for e in training} == {"es", "en", "ht"}
    assert {e.language for e in heldout} == {"es", "en", "ht"}
    assert len(training) > 3000 and len(heldout) >= 500
