"""The Mexico profile: what Brújula adds to HSDS 3.0, and the rules its values follow.

HSDS allows extra properties. Brújula's extras (documented in ``data/seed/README.md`` and
``docs/REGISTRY.md``) are listed here as Table Schema fields, so the JSON and the CSV formats,
the validator and the database all read the same definition.
"""

from __future__ import annotations

from typing import Final

from referrals.tabular_schema import FieldSpec

#: Who a service is meant for (a service may serve others too; this is not a restriction).
POPULATIONS: Final[tuple[str, ...]] = (
    "women",
    "children_families",
    "unaccompanied_minors",
    "lgbtq",
    "older_people",
    "disability",
    "indigenous",
)

#: Where a service is offered: one town, one state, or the whole country (phone/online/federal).
SCOPES: Final[tuple[str, ...]] = ("local", "state", "national")

VERIFICATION_STATUSES: Final[tuple[str, ...]] = ("unverified", "verified")

#: A service being written at the desk is a ``draft``: stored and exported, never referred. No
#: value (every record that came before the desk could edit) means ``published``.
PUBLICATION_STATUSES: Final[tuple[str, ...]] = ("draft", "published")

#: HSDS service statuses. Only these may be offered: ``active`` (and ``temporarily closed``
#: flagged as closed); ``inactive`` and ``defunct`` are never returned.
OFFERED_STATUSES: Final[tuple[str, ...]] = ("active", "temporarily closed")

#: ISO 3166-2:MX codes of the 32 states.
STATE_CODES: Final[tuple[str, ...]] = (
    "MX-AGU", "MX-BCN", "MX-BCS", "MX-CAM", "MX-CHP", "MX-CHH", "MX-CMX", "MX-COA",
    "MX-COL", "MX-DUR", "MX-GUA", "MX-GRO", "MX-HID", "MX-JAL", "MX-MEX", "MX-MIC",
    "MX-MOR", "MX-NAY", "MX-NLE", "MX-OAX", "MX-PUE", "MX-QUE", "MX-ROO", "MX-SLP",
    "MX-SIN", "MX-SON", "MX-TAB", "MX-TAM", "MX-TLA", "MX-VER", "MX-YUC", "MX-ZAC",
)  # fmt: skip

_PROVENANCE: Final[tuple[FieldSpec, ...]] = (
    FieldSpec("record_source", "string"),
    FieldSpec("verification_status", "string", enum=VERIFICATION_STATUSES),
    FieldSpec("last_verified_at", "datetime"),
    FieldSpec("verified_by", "string"),
)

#: Extra fields per HSDS table. In JSON they are properties of the object; in the CSV package
#: they live in ``mx_<file>`` beside the HSDS file, keyed by ``id``.
EXTRAS: Final[dict[str, tuple[FieldSpec, ...]]] = {
    "organization": _PROVENANCE,
    "service": (
        FieldSpec("scope", "string", enum=SCOPES),
        FieldSpec("populations", "list", enum=POPULATIONS),
        FieldSpec("publication_status", "string", enum=PUBLICATION_STATUSES),
        *_PROVENANCE,
    ),
    "location": (
        FieldSpec("state", "string", enum=STATE_CODES),
        FieldSpec("municipality", "string"),
        FieldSpec("confidential", "boolean"),
        *_PROVENANCE,
    ),
    "service_area": (
        FieldSpec("state", "string", enum=STATE_CODES),
        FieldSpec("municipality", "string"),
    ),
    "taxonomy_term": (FieldSpec("translations", "object"),),
}

#: Tables that come from HSDS 3.1 (not in the 3.0 package): capacity, following 3.1's
#: ``service_capacity`` and ``unit``. In JSON a service's ``capacities`` embed their ``unit``.
HSDS31_TABLES: Final[dict[str, tuple[str, tuple[FieldSpec, ...]]]] = {
    "unit": (
        "units.csv",
        (
            FieldSpec("id", "string", format="uuid", required=True, unique=True),
            FieldSpec("name", "string", required=True),
            FieldSpec("scheme", "string"),
            FieldSpec("identifier", "string"),
            FieldSpec("uri", "string", format="uri"),
        ),
    ),
    "service_capacity": (
        "service_capacities.csv",
        (
            FieldSpec("id", "string", format="uuid", required=True, unique=True),
            FieldSpec("service_id", "string", format="uuid", required=True),
            FieldSpec("unit_id", "string", format="uuid", required=True),
            FieldSpec("available", "number"),
            FieldSpec("maximum", "number"),
            FieldSpec("description", "string"),
            FieldSpec("updated", "datetime"),
        ),
    ),
}

HSDS31_FOREIGN_KEYS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "service_capacity": (("service_id", "service"), ("unit_id", "unit")),
}
