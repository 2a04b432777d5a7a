from __future__ import annotations

import pytest

from referrals.places import default_gazetteer, haversine_km


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("estoy en qro", "Querétaro"),
        ("vivo en cd juarez", "Ciudad Juárez, Chihuahua"),
        ("en el df", "Ciudad de México"),
        ("CDMX", "Ciudad de México"),
        ("tapachula chiapas", "Tapachula, Chiapas"),
        ("monterey", "Monterrey, Nuevo León"),
        ("nuevo leon", "Nuevo León"),
        ("mwen nan Tijuana", "Tijuana, Baja California"),
    ],
)
def test_find_in_text(text: str, label: str) -> None:
    place = default_gazetteer().find_in_text(text)
    assert place is not None and place.label == label


def test_nothing_is_invented_for_unknown_places() -> None:
    g = default_gazetteer()
    assert g.find_in_text("honduras") is None
    assert g.find_in_text("") is None


def test_all_32_states_with_time_zones() -> None:
    from zoneinfo import ZoneInfo

    g = default_gazetteer()
    assert len(g.states) == 32
    for place in [*g.states, *g.cities]:
        ZoneInfo(place.timezone)


def test_nearest_to_a_shared_location() -> None:
    g = default_gazetteer()
    assert g.nearest(14.90, -92.26).name == "Tapachula"
    assert 180 < haversine_km(20.59, -100.39, 19.43, -99.13) < 190  # Querétaro–CDMX ≈ 184 km straight
