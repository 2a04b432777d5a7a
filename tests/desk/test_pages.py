"""The desk's pages over ASGI (no network): roles, CSRF, sessions, cookies, language, handoff,
content review and the dashboard. The browser tests repeat the main paths in real Chromium."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from starlette.routing import Mount, Route

from bot.background import deliver_outbox_once
from desk.app import routes
from desk.policy import DeskPolicy
from tests.desk.conftest import Clock
from tests.desk.scenes import PASSWORD, RecordingDeliverer, Scene, build_scene, seed_tickets, seed_usage

CSRF = re.compile(r'name="csrf" value="([^"]+)"')

#: Every route and the least role that may use it (None: anyone). A new route must be added here.
ROUTES: dict[tuple[str, str], str | None] = {
    ("GET", "/"): None,
    ("GET", "/login"): None,
    ("POST", "/login"): None,
    ("POST", "/language"): None,
    ("POST", "/logout"): "staff",
    ("GET", "/password"): "staff",
    ("POST", "/password"): "staff",
    ("GET", "/inbox"): "staff",
    ("GET", "/tickets/{ticket_id}"): "staff",
    ("POST", "/tickets/{ticket_id}/reply"): "staff",
    ("POST", "/tickets/{ticket_id}/close"): "staff",
    ("GET", "/answers"): "staff",
    ("GET", "/registry"): "staff",
    ("GET", "/registry/slip"): "staff",
    ("GET", "/registry/records"): "staff",
    ("GET", "/registry/services/{service_id}"): "staff",
    ("GET", "/registry/organizations/{organization_id}"): "staff",
    ("GET", "/registry/stale"): "coordinator",
    ("GET", "/registry/transfer"): "coordinator",
    ("POST", "/registry/transfer"): "coordinator",
    ("GET", "/registry/export.json"): "coordinator",
    ("GET", "/registry/export.zip"): "coordinator",
    ("GET", "/registry/new/{kind}"): "coordinator",
    ("POST", "/registry/new/{kind}"): "coordinator",
    ("GET", "/registry/{kind}/{record_id}/edit"): "coordinator",
    ("POST", "/registry/{kind}/{record_id}/edit"): "coordinator",
    ("POST", "/registry/services/{service_id}/verify"): "coordinator",
    ("POST", "/registry/services/{service_id}/publication"): "coordinator",
    ("GET", "/content"): "coordinator",
    ("GET", "/content/{intent}/{language}"): "coordinator",
    ("POST", "/content/{intent}/{language}"): "coordinator",
    ("GET", "/dashboard"): "coordinator",
    ("GET", "/dashboard.csv"): "coordinator",
    ("GET", "/audit"): "coordinator",
    ("GET", "/accounts"): "admin",
}
EXAMPLE = {
    "{ticket_id}": "1",
    "{intent}": "asylum",
    "{language}": "ht",
    "{service_id}": "no-such-service",
    "{organization_id}": "no-such-organization",
    "{kind}": "organization",
    "{record_id}": "no-such-record",
}
RANK = {None: 0, "staff": 1, "coordinator": 2, "admin": 3}
#: What an allowed visitor gets without a query: a slip needs a service, and this scene has no
#: registry records.
ALLOWED = {
    "/registry/slip": 404,
    "/registry/services/{service_id}": 404,
    "/registry/organizations/{organization_id}": 404,
    "/registry/{kind}/{record_id}/edit": 404,
}
USERS = {"staff": "sam", "coordinator": "cora", "admin": "ada"}


def concrete(path: str) -> str:
    for key, value in EXAMPLE.items():
        path = path.replace(key, value)
    return "/desk" + path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def scene(tmp_path: Path, clock: Clock) -> AsyncIterator[Scene]:
    built = build_scene(tmp_path, clock=clock)
    await seed_tickets(built)
    try:
        yield built
    finally:
        await built.aclose()


def client(scene: Scene, *, base: str = "http://desk.test", lang: str = "en") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=scene.web, client=("10.0.0.5", 50000)),
        base_url=base,
        headers={"accept-language": lang},
    )


async def token(c: httpx.AsyncClient, path: str = "/desk/login") -> str:
    page = await c.get(path)
    found = CSRF.search(page.text)
    assert found, page.text[:300]
    return found.group(1)


async def sign_in(c: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await c.post(
        "/desk/login", data={"csrf": await token(c), "username": username, "password": password}
    )


def test_the_table_above_lists_every_route(scene: Scene) -> None:
    found = set()
    for route in routes(scene.desk):
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, route.path))
    assert found == set(ROUTES)


async def test_anonymous_visitors_are_sent_to_login_for_every_page(scene: Scene) -> None:
    async with client(scene) as c:
        for (method, path), role in ROUTES.items():
            if method != "GET" or role is None:
                continue
            response = await c.get(concrete(path))
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/desk/login?next=/desk/"), path


@pytest.mark.parametrize("who", ["staff", "coordinator", "admin"])
async def test_every_page_checks_the_role_on_the_server(scene: Scene, who: str) -> None:
    async with client(scene) as c:
        assert (await sign_in(c, USERS[who])).status_code == 303
        for (method, path), role in ROUTES.items():
            if method != "GET" or role is None:
                continue
            response = await c.get(concrete(path))
            if RANK[who] >= RANK[role]:
                assert response.status_code == ALLOWED.get(path, 200), (who, path)
            else:
                assert response.status_code == 403, (who, path)
                assert "cannot open this page" in response.text


async def test_every_post_without_the_csrf_token_is_refused(scene: Scene) -> None:
    async with client(scene) as c:
        await sign_in(c, "ada")
        for (method, path), _role in ROUTES.items():
            if method != "POST":
                continue
            for data in ({}, {"csrf": "forged"}):
                response = await c.post(concrete(path), data={**data, "text": "hola", "username": "ada"})
                assert response.status_code == 403, (path, data)
                assert "did not come from this site" in response.text
    async with client(scene) as anonymous:  # the login form too, without its pre-session cookie
        login_token = await token(anonymous)
        anonymous.cookies.clear()
        response = await anonymous.post(
            "/desk/login", data={"csrf": login_token, "username": "ada", "password": PASSWORD}
        )
        assert response.status_code == 403


async def test_an_oversized_form_is_refused_before_it_is_read(scene: Scene) -> None:
    async with client(scene) as c:
        response = await c.post(
            "/desk/login",
            content=b"a=" + b"x" * 300_000,
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 413


async def test_session_cookie_is_httponly_lax_on_the_desk_path_and_secure_over_https(scene: Scene) -> None:
    async with client(scene) as c:
        response = await sign_in(c, "sam")
        cookie = next(
            v for k, v in response.headers.multi_items() if k == "set-cookie" and "brujula_desk=" in v
        )
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/desk" in cookie
        assert "Secure" not in cookie and "Max-Age=43200" in cookie
    async with client(scene, base="https://desk.test") as c:
        response = await sign_in(c, "sam")
        cookie = next(
            v for k, v in response.headers.multi_items() if k == "set-cookie" and "brujula_desk=" in v
        )
        assert "Secure" in cookie


async def test_wrong_and_unknown_logins_look_the_same_and_five_failures_lock(scene: Scene) -> None:
    async with client(scene) as c:
        wrong = await sign_in(c, "sam", "not the password")
        unknown = await sign_in(c, "nobody", "not the password")
        assert wrong.status_code == unknown.status_code == 401
        assert "Wrong username or password." in wrong.text and "Wrong username or password." in unknown.text
        assert CSRF.sub("", wrong.text) == CSRF.sub("", unknown.text)
        for _ in range(4):  # the fifth failure for "sam" locks the username
            await sign_in(c, "sam", "still not it")
        locked = await sign_in(c, "sam")  # the right password, but locked
        assert locked.status_code == 429 and "Too many failed attempts" in locked.text
        assert "brujula_desk=" not in locked.headers.get("set-cookie", "")


async def test_the_lock_ends_after_fifteen_minutes(scene: Scene, clock: Clock) -> None:
    async with client(scene) as c:
        for _ in range(5):
            await sign_in(c, "sam", "wrong password!")
        assert (await sign_in(c, "sam")).status_code == 429
        clock.advance(minutes=16)
        assert (await sign_in(c, "sam")).status_code == 303


async def test_logout_and_idle_time_end_the_session(scene: Scene, clock: Clock) -> None:
    async with client(scene) as c:
        await sign_in(c, "sam")
        assert (await c.get("/desk/inbox")).status_code == 200
        stolen = dict(c.cookies)
        response = await c.post("/desk/logout", data={"csrf": await token(c, "/desk/inbox")})
        assert response.status_code == 303
        c.cookies.clear()
        c.cookies.update(stolen)  # the old cookie is worth nothing now
        assert (await c.get("/desk/inbox")).status_code == 303

        await sign_in(c, "sam")
        clock.advance(hours=2, minutes=1)
        assert (await c.get("/desk/inbox")).status_code == 303


async def test_next_never_leaves_the_desk(scene: Scene) -> None:
    async with client(scene) as c:
        for target, expected in [
            ("//evil.example/x", "/desk/"),
            ("https://evil.example/", "/desk/"),
            ("/elsewhere", "/desk/"),
            ("/desk/answers?topic=curp", "/desk/answers?topic=curp"),
        ]:
            c.cookies.clear()
            response = await c.post(
                "/desk/login",
                data={"csrf": await token(c), "username": "sam", "password": PASSWORD, "next": target},
            )
            assert response.headers["location"] == expected


async def test_pages_are_never_cached_and_carry_security_headers(scene: Scene) -> None:
    async with client(scene) as c:
        await sign_in(c, "sam")
        page = await c.get("/desk/inbox")
        assert page.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        css = await c.get("/desk/static/desk.css")
        assert css.status_code == 200 and "max-age" in css.headers["cache-control"]


async def test_spanish_by_default_english_and_creole_on_request(scene: Scene) -> None:
    async with client(scene, lang="es-MX,es;q=0.9") as c:
        login = await c.get("/desk/login")
        assert 'lang="es"' in login.text and "Contraseña" in login.text and "Entrar" in login.text
        await sign_in(c, "sam")
        inbox = await c.get("/desk/inbox")
        assert "Conversaciones que esperan a una persona" in inbox.text and "RIESGO ALTO" in inbox.text
        switched = await c.post(
            "/desk/language",
            data={"csrf": await token(c, "/desk/inbox"), "language": "ht", "next": "/desk/inbox"},
        )
        assert switched.headers["location"] == "/desk/inbox"
        inbox = await c.get("/desk/inbox")
        assert 'lang="ht"' in inbox.text and "Konvèsasyon k ap tann yon moun" in inbox.text
    async with client(scene, lang="fr") as c:
        assert "Contraseña" in (await c.get("/desk/login")).text  # not offered: Spanish


async def test_a_reply_reaches_the_person_and_closing_says_goodbye_in_their_language(scene: Scene) -> None:
    ticket = scene.tickets["ht"]
    async with client(scene) as c:
        await sign_in(c, "sam")
        inbox = (await c.get("/desk/inbox")).text
        assert inbox.index(f"Open conversation #{ticket}") < inbox.index(
            f"Open conversation #{scene.tickets['es']}"
        )
        page = await c.get(f"/desk/tickets/{ticket}")
        assert "Mwen pè." in page.text and "HIGH RISK" in page.text
        assert "Ekip la fèmen konvèsasyon sa a." in page.text  # the farewell, shown before closing
        empty = await c.post(
            f"/desk/tickets/{ticket}/reply", data={"csrf": await token(c, page.url.path), "text": " "}
        )
        assert empty.status_code == 400
        response = await c.post(
            f"/desk/tickets/{ticket}/reply",
            data={"csrf": await token(c, page.url.path), "text": "Bonjou, mwen se Sam. Kote ou ye kounye a?"},
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/desk/tickets/{ticket}?done=sent"
        channel = RecordingDeliverer()
        assert await deliver_outbox_once(scene.app.handoff, {"telegram": channel}) == 1
        assert channel.sent == [("700100", "Bonjou, mwen se Sam. Kote ou ye kounye a?")]
        shown = await c.get(f"/desk/tickets/{ticket}")
        assert "Sam Pérez" in shown.text and "answered" in shown.text

        closed = await c.post(f"/desk/tickets/{ticket}/close", data={"csrf": await token(c, page.url.path)})
        assert closed.headers["location"] == "/desk/inbox?done=closed"
        await deliver_outbox_once(scene.app.handoff, {"telegram": channel})
        assert channel.sent[-1] == (
            "700100",
            "Ekip la fèmen konvèsasyon sa a. Ou tounen ak asistan an: ekri /menu.",
        )
        late = await c.post(
            f"/desk/tickets/{ticket}/reply", data={"csrf": await token(c, "/desk/inbox"), "text": "x"}
        )
        assert late.status_code == 409
        assert (await c.get("/desk/audit")).status_code == 403  # staff cannot read the audit log…
    async with client(scene) as c:
        await sign_in(c, "cora")
        audit = (await c.get("/desk/audit")).text
        assert f"ticket #{ticket}" in audit and "replied to a conversation" in audit
        assert "Kote ou ye" not in audit  # …and it never holds what was written


async def test_the_inbox_refreshes_itself_unless_asked_not_to(scene: Scene) -> None:
    async with client(scene) as c:
        await sign_in(c, "sam")
        assert 'http-equiv="refresh"' in (await c.get("/desk/inbox")).text
        still = (await c.get("/desk/inbox?refresh=off")).text
        assert 'http-equiv="refresh"' not in still and "Refresh now and every minute" in still


async def test_missing_and_foreign_ids_are_404(scene: Scene) -> None:
    async with client(scene) as c:
        await sign_in(c, "cora")
        for path in (
            "/desk/tickets/999",
            "/desk/tickets/abc",
            "/desk/content/asylum/mam",
            "/desk/content/x/es",
            "/desk/nothing-here",
        ):
            assert (await c.get(path)).status_code == 404, path


async def test_content_edit_through_the_form(scene: Scene) -> None:
    async with client(scene) as c:
        await sign_in(c, "cora")
        form = await c.get("/desk/content/asylum/ht")
        assert "Spanish answer, for reference" in form.text
        fields = dict(re.findall(r'<input type="hidden" name="(digest|csrf)" value="([^"]+)"', form.text))
        sections = re.findall(r'<input type="hidden" name="section" value="([^"]+)"', form.text)
        data: list[tuple[str, str]] = [("csrf", fields["csrf"]), ("digest", fields["digest"])]
        data.append(("summary", "Rezime tou nèf."))
        for key in sections:
            title = re.search(rf'name="title-{key}" value="([^"]*)"', form.text)
            text = re.search(rf'name="text-{key}"[^>]*>(.*?)</textarea>', form.text, re.S)
            assert title and text
            data += [("section", key), (f"title-{key}", title.group(1)), (f"text-{key}", text.group(1))]
        data = [(k, html.unescape(v)) for k, v in data]
        form_type = {"content-type": "application/x-www-form-urlencoded"}
        saved = await c.post(
            "/desk/content/asylum/ht", content=urlencode([*data, ("action", "review")]), headers=form_type
        )
        assert saved.status_code == 303 and saved.headers["location"].endswith("?done=reviewed")
        assert "Rezime tou nèf." in (scene.content / "asylum" / "ht.yml").read_text(encoding="utf-8")
        again = await c.post(
            "/desk/content/asylum/ht", content=urlencode([*data, ("action", "draft")]), headers=form_type
        )
        assert again.status_code == 409  # the digest is the old one: someone (we) saved since
        audit = (await c.get("/desk/audit")).text
        assert "content/answers/asylum/ht.yml" in audit and "Rezime tou nèf." in audit


async def test_dashboard_and_csv_suppress_small_counts(scene: Scene) -> None:
    seed_usage(scene, scene.desk.today())
    async with client(scene) as c:
        await sign_in(c, "cora")
        page = (await c.get("/desk/dashboard")).text
        assert "Questions by topic and week" in page and "Unmet needs by state and topic" in page
        assert "&lt;5" in page and "Querétaro" in page
        csv = await c.get("/desk/dashboard.csv?weeks=4")
        assert csv.headers["content-type"].startswith("text/csv")
        assert "attachment" in csv.headers["content-disposition"]
        assert "unmet_by_state_topic,MX-QUE,legal_aid,<5" in csv.text
        assert "questions_by_language,quc,,<5" in csv.text


async def test_password_change_keeps_this_session_and_ends_the_others(scene: Scene) -> None:
    async with client(scene) as here, client(scene) as elsewhere:
        await sign_in(here, "sam")
        await sign_in(elsewhere, "sam")
        response = await here.post(
            "/desk/password",
            data={"csrf": await token(here, "/desk/password"), "current": PASSWORD,
                  "new": "otra contraseña 2027", "again": "otra contraseña 2027"},
        )  # fmt: skip
        assert response.status_code == 200 and "Your password was changed" in response.text
        assert (await here.get("/desk/inbox")).status_code == 200
        assert (await elsewhere.get("/desk/inbox")).status_code == 303
        here.cookies.clear()
        assert (await sign_in(here, "sam", "otra contraseña 2027")).status_code == 303


async def test_a_shorter_session_policy_is_honoured(tmp_path: Path) -> None:
    scene = build_scene(tmp_path, policy=DeskPolicy(session_lifetime=timedelta(minutes=30)))
    try:
        async with client(scene) as c:
            response = await sign_in(c, "sam")
            assert "Max-Age=1800" in response.headers["set-cookie"]
    finally:
        await scene.aclose()
