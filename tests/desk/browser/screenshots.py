"""Screenshots of the desk's main pages for docs/DESK.md (and the referral slip as a PDF), with the
data the browser tests use.

    .venv/bin/python -m tests.desk.browser.screenshots [docs/screenshots]

Same browser and flags as the browser tests (Debian's /usr/bin/chromium, headless). The pages
show the seeded scene of ``tests/desk/scenes.py``: two open conversations, an edit of the
Haitian Creole asylum answer made through the form, the dashboard with small counts
suppressed, the seed registry with a service's hours changed through the form (record, edit
form, audit entry), the stale report, and the import page with the report of an invalid file.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from bot.settings import load_settings
from desk.assistant_links import assistant_links
from tests.desk.browser.conftest import CHROMIUM, DeskServer, Person, launch
from tests.desk.scenes import PASSWORD, build_scene, seed_all, seed_registry

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_OUT = ROOT / "docs" / "screenshots"
EDITED_SUMMARY_NOTE = "Si w pa konn li, mande yon moun nan abri a li l pou ou."


def take(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="brujula-shots-") as tmp:
        scene = build_scene(Path(tmp))
        seed_all(scene)
        seed_registry(scene)
        scene.desk.assistant_links = assistant_links(
            load_settings(
                BRUJULA_TELEGRAM_BOT_USERNAME="brujula_bot", BRUJULA_WHATSAPP_PUBLIC_NUMBER="525500000000"
            )
        )
        server = DeskServer(scene)
        server.start()
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 860})
                who = Person(context.new_page(), server.url)
                page = who.page

                def shot(name: str, *, full: bool = True) -> None:
                    path = out / f"{name}.png"
                    page.screenshot(path=str(path), full_page=full)
                    saved.append(path)

                who.go("/login")
                shot("login", full=False)
                who.sign_in("cora")
                shot("inbox")
                who.go(f"/tickets/{scene.tickets['ht']}")
                shot("ticket")
                who.go("/answers?topic=asylum&left=ht&right=es")
                shot("answers-side-by-side", full=False)
                who.go("/content")
                shot("content-review")
                who.go("/content/asylum/ht")
                summary = page.get_by_label("Summary (at most 700 characters)")
                summary.fill(summary.input_value() + "\n" + EDITED_SUMMARY_NOTE)
                page.get_by_role("button", name="Save and mark reviewed").click()
                page.wait_for_load_state()
                shot("content-edit", full=False)
                who.go("/audit")
                shot("audit-log", full=False)
                who.go("/dashboard")
                shot("dashboard")
                who.go("/registry?topic=shelter&place=Tapachula&language=ht")
                shot("registry-search", full=False)
                page.get_by_role("link", name="Referral slip in Kreyòl ayisyen").first.click()
                page.wait_for_load_state()
                page.emulate_media(media="print")
                shot("referral-slip-ht-print")
                pdf = out / "referral-slip-ht.pdf"
                page.pdf(path=str(pdf), format="A4", print_background=True)
                saved.append(pdf)
                page.emulate_media(media="screen")

                who.go("/registry?topic=shelter&place=Tapachula&language=es")
                page.get_by_role("link", name="Registry record", exact=True).first.click()
                page.wait_for_load_state()
                hours = page.locator("section", has=page.get_by_role("heading", name="Hours of the service"))
                hours.get_by_role("link", name="Add hours").click()
                for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
                    page.get_by_label(day).check()
                page.get_by_label("Opens at").fill("18:00")
                page.get_by_label("Closes at").fill("09:00")
                page.get_by_role("button", name="Save").click()
                page.wait_for_load_state()
                shot("registry-edit-error")
                page.get_by_label("Opens at").fill("09:00")
                page.get_by_label("Closes at").fill("17:00")
                page.get_by_role("button", name="Save").click()
                page.wait_for_load_state()
                hours.get_by_role("link", name="Edit hours").first.click()
                page.get_by_label("Saturday").check()
                page.get_by_label("Closes at").fill("14:00")
                shot("registry-edit")
                page.get_by_role("button", name="Save").click()
                page.wait_for_load_state()
                shot("registry-record")
                who.go("/audit")
                shot("audit-log-registry", full=False)
                who.go("/registry/stale")
                shot("registry-stale", full=False)
                who.go("/registry/transfer")
                broken = json.loads(page.request.get(server.url + "/registry/export.json").text())[:3]
                broken[1]["services"][0]["status"] = "open"
                page.get_by_label("File").set_input_files(
                    files=[
                        {
                            "name": "registro.json",
                            "mimeType": "application/json",
                            "buffer": json.dumps(broken).encode(),
                        }
                    ]
                )
                page.get_by_role("button", name="Check and import").click()
                page.wait_for_load_state()
                shot("registry-import", full=False)

                spanish = browser.new_context(locale="es-MX", viewport={"width": 360, "height": 740})
                phone = Person(spanish.new_page(), server.url)
                phone.go("/login")
                phone.page.get_by_label("Usuario").fill("sam")
                phone.page.get_by_label("Contraseña").fill(PASSWORD)
                phone.page.get_by_role("button", name="Entrar").click()
                phone.page.wait_for_load_state()
                path = out / "inbox-phone-es.png"
                phone.page.screenshot(path=str(path), full_page=True)
                saved.append(path)
                spanish.close()

                coordinator = browser.new_context(locale="es-MX", viewport={"width": 360, "height": 740})
                phone = Person(coordinator.new_page(), server.url)
                phone.go("/login")
                phone.page.get_by_label("Usuario").fill("cora")
                phone.page.get_by_label("Contraseña").fill(PASSWORD)
                phone.page.get_by_role("button", name="Entrar").click()
                phone.page.wait_for_load_state()
                phone.go("/registry/stale")
                phone.page.get_by_role("link", name="Revisar y editar").first.click()
                phone.page.get_by_role("link", name="Editar el servicio").click()
                phone.page.wait_for_load_state()
                path = out / "registry-edit-phone-es.png"
                phone.page.screenshot(path=str(path), full_page=False)
                saved.append(path)
                browser.close()
        finally:
            server.stop()
            scene.app.db.dispose()
    return saved


def main() -> None:
    if not CHROMIUM.exists():
        sys.exit("Chromium is not installed (apt-get install chromium)")
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    for path in take(out):
        print(path)


if __name__ == "__main__":
    main()
