"""HSDS import and export from the browser: the same checks as the command line, nothing written
when a file is invalid, every import audited, uploads limited in size, coordinators only."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from desk.audit import AuditEntry
from desk.guard import MAX_UPLOAD
from referrals.store import counts
from tests.desk.scenes import Scene, build_scene, seed_registry
from tests.desk.test_registry_edit import signed_in

NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    built = build_scene(tmp_path_factory.mktemp("registry-transfer"), clock=lambda: NOW)
    seed_registry(built)
    yield built
    built.app.db.dispose()


def audit_actions(scene: Scene) -> list[str]:
    with Session(scene.app.db) as db:
        return [e.action for e in db.exec(select(AuditEntry))]


async def test_exports_download_as_hsds_json_and_a_csv_package(scene: Scene) -> None:
    async with signed_in(scene, "cora") as (c, _csrf):
        exported = await c.get("/desk/registry/export.json")
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("application/json")
        assert "attachment" in exported.headers["content-disposition"]
        organizations = json.loads(exported.text)
        assert len(organizations) == counts(scene.app.db)["organization"]
        package = await c.get("/desk/registry/export.zip")
        assert package.status_code == 200
        names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
        assert {"organizations.csv", "services.csv", "datapackage.json"} <= set(names)


async def test_an_invalid_file_shows_the_report_and_changes_nothing(scene: Scene) -> None:
    before, audited = counts(scene.app.db), audit_actions(scene)
    async with signed_in(scene, "cora", "es") as (c, csrf):
        exported = json.loads((await c.get("/desk/registry/export.json")).text)
        exported[0]["services"][0]["status"] = "open"
        exported[0]["name"] = "Cambiada"
        response = await c.post(
            "/desk/registry/transfer",
            data={"csrf": csrf, "action": "import"},
            files={"file": ("registro.json", json.dumps(exported).encode(), "application/json")},
        )
    assert response.status_code == 400
    assert "Se encontraron errores: no se importó nada." in response.text
    assert "services/0/status" in response.text and "&#39;open&#39; is not one of" in response.text
    assert counts(scene.app.db) == before and audit_actions(scene) == audited


async def test_check_only_writes_nothing_and_an_import_is_audited(scene: Scene) -> None:
    async with signed_in(scene, "cora") as (c, csrf):
        exported = json.loads((await c.get("/desk/registry/export.json")).text)
        first = exported[0]
        first["description"] = "Descripción corregida en la importación"
        body = json.dumps([first]).encode()
        checked = await c.post(
            "/desk/registry/transfer",
            data={"csrf": csrf, "action": "check"},
            files={"file": ("one.json", body, "application/json")},
        )
        assert checked.status_code == 200 and "Nothing was written." in checked.text
        assert "registry.import" not in audit_actions(scene)
        imported = await c.post(
            "/desk/registry/transfer",
            data={"csrf": csrf, "action": "import"},
            files={"file": ("one.json", body, "application/json")},
        )
        assert imported.status_code == 200 and "Imported." in imported.text
        again = json.loads((await c.get("/desk/registry/export.json")).text)
    assert any(o["description"] == "Descripción corregida en la importación" for o in again)
    assert audit_actions(scene)[-1] == "registry.import"


async def test_uploads_are_limited_in_size_and_kind(scene: Scene) -> None:
    async with signed_in(scene, "cora") as (c, csrf):
        too_big = await c.post(
            "/desk/registry/transfer",
            data={"csrf": csrf},
            files={"file": ("big.json", b" " * (MAX_UPLOAD + 1), "application/json")},
        )
        assert too_big.status_code == 413
        wrong = await c.post(
            "/desk/registry/transfer",
            data={"csrf": csrf},
            files={"file": ("registry.xlsx", b"PK", "application/octet-stream")},
        )
        assert wrong.status_code == 400 and "Send a .json file" in wrong.text


async def test_staff_cannot_import_or_export(scene: Scene) -> None:
    async with signed_in(scene, "sam") as (c, csrf):
        for path in ("/desk/registry/transfer", "/desk/registry/export.json", "/desk/registry/export.zip"):
            assert (await c.get(path)).status_code == 403, path
        refused = await c.post(
            "/desk/registry/transfer",
            data={"csrf": csrf},
            files={"file": ("x.json", b"[]", "application/json")},
        )
        assert refused.status_code == 403


async def test_a_staff_upload_is_refused_before_its_size_is_even_considered(scene: Scene) -> None:
    async with signed_in(scene, "sam") as (c, csrf):
        refused = await c.post(
            "/desk/registry/transfer",
            data={"csrf": csrf},
            files={"file": ("big.json", b" " * (MAX_UPLOAD + 1), "application/json")},
        )
    assert refused.status_code == 403  # not 413: the role is checked before the body
