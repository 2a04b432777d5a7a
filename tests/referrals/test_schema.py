"""The tables follow HSDS 3.0's fields one to one, and the shipped HSDS files are unmodified."""

from __future__ import annotations

import hashlib
import re

from referrals.tables import HSDS_MODELS
from referrals.tabular_schema import HSDS_DIR, datapackage, stored_tables


def test_every_hsds_table_we_store_has_exactly_its_fields_plus_the_profile() -> None:
    resources = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in datapackage()["resources"]}
    for name, spec in stored_tables().items():
        columns = [c.name for c in HSDS_MODELS[name].__table__.columns]  # type: ignore[attr-defined]
        assert columns == [f.name for f in spec.all_fields], name
        if name in resources:
            assert columns[: len(resources[name])] == resources[name], name
    required = {"organization", "service", "location", "service_at_location", "address", "phone", "schedule",
                "language", "taxonomy", "taxonomy_term", "attribute", "required_document"}  # fmt: skip
    assert required <= set(HSDS_MODELS)


def test_shipped_hsds_files_match_their_recorded_hashes() -> None:
    source = (HSDS_DIR / "SOURCE.md").read_text(encoding="utf-8")
    for name, digest in re.findall(r"\| `([^`]+)` \| [^|]+\| `([0-9a-f]{64})` \|", source):
        assert hashlib.sha256((HSDS_DIR / name).read_bytes()).hexdigest() == digest, name


def test_taxonomy_codes_cover_every_intent_and_are_bilingual() -> None:
    from referrals.taxonomy import intent_categories, load_taxonomy

    taxonomy = load_taxonomy()
    codes = taxonomy.codes()
    for intent, categories in intent_categories().items():
        assert categories and set(categories) <= codes, intent
    for term in taxonomy.terms:
        assert term.names.get("es") and term.names.get("en") and term.descriptions.get("es"), term.code
        assert term.parent is None or term.parent in codes
