"""Coordinators keep the registry at the desk: every edit is checked on the server, audited
before → after, and reaches the assistant's next referral; staff may read but never change."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from bot.localformat import format_hours
from desk.audit import AuditEntry
from desk.registry_records import save
from referrals import SqlReferralFinder
from referrals.places import default_gazetteer
from tests.desk.scenes import CSRF, Scene, registry_scene
from tests.desk.scenes import signed_in as desk_client

NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Mexico City


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    built = registry_scene(tmp_path_factory.mktemp("registry-edit"), NOW)
    yield built
    built.app.db.dispose()


@contextlib.asynccontextmanager
async def signed_in(
    scene: Scene, username: str, language: str = "en"
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """Signed in, with the CSRF token of the registry pages' forms."""
    async with desk_client(scene, username, language) as client:
        home = await client.get("/desk/registry/records")
        token = CSRF.search(home.text)
        assert token
        yield client, token.group(1)


def first_shelter(scene: Scene, place: str = "Tapachula") -> tuple[str, str]:
    """(service id, hours as the assistant says them) of the first shelter the assistant offers."""
    result = SqlReferralFinder(scene.app.db).find_now(
        intent="shelter", place=default_gazetteer().find_in_text(place), language="es", now=NOW, limit=3
    )
    first = result.referrals[0]
    return first.service_id, format_hours(first.hours, "es")


def hours_of(scene: Scene, service_id: str) -> str:
    result = SqlReferralFinder(scene.app.db).find_now(
        intent="shelter",
        place=default_gazetteer().find_in_text("Tapachula"),
        language="es",
        now=NOW,
        limit=10,
    )
    found = next(r for r in result.referrals if r.service_id == service_id)
    return " ".join(format_hours(found.hours, "es").split())  # no-break spaces as spaces


def audit_entries(scene: Scene) -> list[AuditEntry]:
    with Session(scene.app.db) as db:
        return list(db.exec(select(AuditEntry).order_by(AuditEntry.id)).scalars())  # type: ignore[arg-type]


def schedule_form(**overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "byday": ["MO", "TU", "WE", "TH", "FR"],
        "opens_at": "09:00",
        "closes_at": "17:00",
    }
    form.update(overrides)
    return form


async def test_a_coordinator_adds_then_edits_hours_audited_and_the_finder_says_the_new_hours(
    scene: Scene,
) -> None:
    service_id, _before = first_shelter(scene)
    async with signed_in(scene, "cora") as (c, csrf):
        page = await c.get(f"/desk/registry/services/{service_id}")
        assert page.status_code == 200 and "Add hours" in page.text
        added = await c.post(
            f"/desk/registry/new/schedule?service={service_id}",
            data={"csrf": csrf, "service": service_id, **schedule_form()},  # type: ignore[dict-item]
        )
        assert added.status_code == 303
        assert added.headers["location"] == f"/desk/registry/services/{service_id}?done=saved"
        assert hours_of(scene, service_id) == "lunes – viernes 9:00 a.m. – 5:00 p.m."

        with scene.app.db.connect() as conn:
            schedule_id = conn.execute(
                text("SELECT id FROM schedule WHERE service_id = :s"), {"s": service_id}
            ).scalar_one()
        edited = await c.post(
            f"/desk/registry/schedule/{schedule_id}/edit",
            data={
                "csrf": csrf,
                "service": service_id,
                **schedule_form(byday=["SA"], opens_at="08:30", closes_at="14:00"),
            },  # type: ignore[dict-item]
        )
        assert edited.status_code == 303
    assert hours_of(scene, service_id) == "sábado 8:30 a.m. – 2:00 p.m."
    entry = audit_entries(scene)[-1]
    assert entry.actor == "cora" and entry.action == "registry.edit"
    assert entry.target.startswith(f"schedule {schedule_id}")
    assert (
        entry.before is not None
        and "opens_at: 09:00" in entry.before
        and "byday: MO, TU, WE, TH, FR" in entry.before
    )
    assert entry.after is not None and "opens_at: 08:30" in entry.after and "byday: SA" in entry.after


@pytest.mark.parametrize(
    ("language", "fields", "message"),
    [
        ("en", {"opens_at": "9am"}, "Write a time as HH:MM (24 hours), e.g. 09:00."),
        (
            "es",
            {"opens_at": "18:00", "closes_at": "08:00"},
            "La hora de cierre debe ser después de la de apertura.",
        ),
        ("es", {"byday": ["XX"]}, "Elige una de las opciones."),
        ("en", {"byday": []}, "Choose the days these hours apply to."),
    ],
)
async def test_invalid_hours_are_refused_in_the_pages_language_and_nothing_changes(
    scene: Scene, language: str, fields: dict[str, object], message: str
) -> None:
    service_id, _ = first_shelter(scene)
    before = len(audit_entries(scene))
    async with signed_in(scene, "cora", language) as (c, csrf):
        response = await c.post(
            f"/desk/registry/new/schedule?service={service_id}",
            data={"csrf": csrf, **schedule_form(**fields)},  # type: ignore[dict-item]
        )
    assert response.status_code == 400
    assert message in response.text
    assert len(audit_entries(scene)) == before


async def test_invalid_service_fields_are_refused_with_clear_messages(scene: Scene) -> None:
    service_id, _ = first_shelter(scene)
    async with signed_in(scene, "cora") as (c, csrf):
        form = await c.get(f"/desk/registry/service/{service_id}/edit")
        assert form.status_code == 200
        response = await c.post(
            f"/desk/registry/service/{service_id}/edit",
            data={
                "csrf": csrf,
                "name": "",
                "status": "open",
                "scope": "local",
                "email": "not an address",
                "url": "javascript:alert(1)",
                "minimum_age": "18",
                "maximum_age": "12",
            },
        )
    assert response.status_code == 400
    for message in (
        "Required.",
        "Choose one of the options.",
        "Write an e-mail address like name@example.org.",
        "Write a web address that starts with https:// or http://.",
        "The maximum age is below the minimum age.",
        "Choose at least one.",  # categories
    ):
        assert message in response.text, message


async def test_a_new_service_is_a_draft_the_assistant_never_refers_until_published(scene: Scene) -> None:
    service_id, _ = first_shelter(scene)
    with scene.app.db.connect() as conn:
        organization = conn.execute(
            text("SELECT organization_id FROM service WHERE id = :s"), {"s": service_id}
        ).scalar_one()
        location = conn.execute(
            text("SELECT location_id FROM service_at_location WHERE service_id = :s"), {"s": service_id}
        ).first()
    assert location is not None
    async with signed_in(scene, "cora") as (c, csrf):
        created = await c.post(
            f"/desk/registry/new/service?organization={organization}",
            data={
                "csrf": csrf,
                "name": "Comedor de prueba",
                "description": "Prueba",
                "status": "active",
                "scope": "local",
                "categories": "shelter",
            },
        )
        assert created.status_code == 303
        new_id = created.headers["location"].split("/services/")[1].split("?")[0]
        with scene.app.db.begin() as conn:  # offered where the other shelter is
            conn.execute(
                text("INSERT INTO service_at_location (id, service_id, location_id) VALUES ('x1', :s, :l)"),
                {"s": new_id, "l": location[0]},
            )
        assert (
            await c.post(
                f"/desk/registry/services/{new_id}/publication",
                data={"csrf": csrf, "publication_status": "draft"},
            )
        ).status_code == 303

        def offered() -> bool:
            result = SqlReferralFinder(scene.app.db).find_now(
                intent="shelter",
                place=default_gazetteer().find_in_text("Tapachula"),
                language="es",
                now=NOW,
                limit=50,
            )
            return new_id in {r.service_id for r in result.referrals}

        assert not offered()
        published = await c.post(
            f"/desk/registry/services/{new_id}/publication",
            data={"csrf": csrf, "publication_status": "published"},
        )
        assert published.status_code == 303
        assert offered()
    entries = audit_entries(scene)
    assert entries[-1].action == "registry.publish"
    assert (
        entries[-1].before == "publication_status: draft"
        and entries[-1].after == "publication_status: published"
    )
    assert any(e.action == "registry.create" and "Comedor de prueba" in e.target for e in entries)


async def test_verified_today_records_who_and_when_and_leaves_the_stale_report(scene: Scene) -> None:
    service_id, _ = first_shelter(scene)
    async with signed_in(scene, "cora") as (c, csrf):
        stale = await c.get("/desk/registry/stale")
        assert stale.status_code == 200 and f"/desk/registry/services/{service_id}" in stale.text
        response = await c.post(
            f"/desk/registry/services/{service_id}/verify", data={"csrf": csrf, "from": "stale"}
        )
        assert response.status_code == 303 and response.headers["location"] == "/desk/registry/stale"
        stale = await c.get("/desk/registry/stale")
        assert f"/desk/registry/services/{service_id}" not in stale.text
        page = await c.get(f"/desk/registry/services/{service_id}")
        assert "Verified on 2026-11-24 11:00 by Cora Méndez" in page.text
    with scene.app.db.connect() as conn:
        row = conn.execute(
            text("SELECT verification_status, last_verified_at, verified_by FROM service WHERE id = :s"),
            {"s": service_id},
        ).one()
    assert row[0] == "verified" and row[2] == "Cora Méndez"
    entry = audit_entries(scene)[-1]
    assert entry.action == "registry.verify" and "verification_status: verified" in (entry.after or "")
    # 181 days later it is stale again
    from desk.registry_records import STALE_AFTER, service_lines

    half_a_year_later = NOW + STALE_AFTER + timedelta(days=1)
    later = [s.id for s in service_lines(scene.app.db, stale_at=half_a_year_later - STALE_AFTER)]
    assert service_id in later


EDIT_ROUTES = (
    ("GET", "/desk/registry/stale"),
    ("GET", "/desk/registry/new/organization"),
    ("POST", "/desk/registry/new/organization"),
    ("GET", "/desk/registry/service/{id}/edit"),
    ("POST", "/desk/registry/service/{id}/edit"),
    ("POST", "/desk/registry/services/{id}/verify"),
    ("POST", "/desk/registry/services/{id}/publication"),
    ("GET", "/desk/registry/new/schedule?service={id}"),
    ("POST", "/desk/registry/new/schedule?service={id}"),
)


async def test_staff_read_the_records_but_every_edit_route_is_403(scene: Scene) -> None:
    service_id, _ = first_shelter(scene)
    before = len(audit_entries(scene))
    async with signed_in(scene, "sam") as (c, csrf):
        page = await c.get(f"/desk/registry/services/{service_id}")
        assert page.status_code == 200
        assert "Edit the service" not in page.text and "Verified today" not in page.text
        for method, path in EDIT_ROUTES:
            url = path.format(id=service_id)
            response = await (
                c.post(
                    url, data={"csrf": csrf, "name": "X", "publication_status": "draft", **schedule_form()}
                )  # type: ignore[dict-item]
                if method == "POST"
                else c.get(url)
            )
            assert response.status_code == 403, (method, url)
    assert len(audit_entries(scene)) == before


async def test_the_new_forms_refuse_a_post_without_its_csrf_token(scene: Scene) -> None:
    service_id, _ = first_shelter(scene)
    async with signed_in(scene, "cora") as (c, _csrf):
        for path in (
            f"/desk/registry/service/{service_id}/edit",
            f"/desk/registry/services/{service_id}/verify",
            f"/desk/registry/new/schedule?service={service_id}",
        ):
            response = await c.post(path, data={"name": "X", **schedule_form()})  # type: ignore[dict-item]
            assert response.status_code == 403, path


async def test_records_escape_what_coordinators_write(scene: Scene) -> None:
    service_id, _ = first_shelter(scene)
    save(
        scene.app.db,
        "phone",
        None,
        {"number": "000 0000", "description": "<script>alert(1)</script>"},
        actor="test",
        now=NOW,
        gazetteer=default_gazetteer(),
        parent=("service_id", service_id),
    )
    async with signed_in(scene, "sam") as (c, _csrf):
        page = await c.get(f"/desk/registry/services/{service_id}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


async def test_hours_added_at_a_location_belong_to_that_location_not_to_the_whole_service(
    scene: Scene,
) -> None:
    """The location's "Add hours" link also names the service (the page to go back to): the new
    hours must hang from the location, or they would override every location's hours."""
    service_id, _ = first_shelter(scene)
    async with signed_in(scene, "cora") as (c, csrf):
        page = await c.get(f"/desk/registry/services/{service_id}")
        link = next(
            href.replace("&amp;", "&")
            for href in re.findall(r'href="([^"]*/registry/new/schedule\?location=[^"]*)"', page.text)
        )
        location_id = link.split("location=")[1].split("&")[0]
        form = await c.get(link)
        assert f'action="/desk/registry/new/schedule?location={location_id}"' in form.text
        added = await c.post(
            link,
            data={"csrf": csrf, "service": service_id, **schedule_form(byday=["SU"])},
        )
        assert added.headers["location"] == f"/desk/registry/services/{service_id}?done=saved"
    with scene.app.db.connect() as conn:
        row = conn.execute(
            text("SELECT service_id, location_id FROM schedule WHERE byday = 'SU' AND opens_at = '09:00:00'")
        ).one()
    assert tuple(row) == (None, location_id)
