"""Fixtures of the dashboard tests: hub users of every role logged in through the
web log-in page (password and TOTP), seeded aggregates, and (for ``browser``
tests) Debian's chromium driven by Playwright against pytest-django's live server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from hub.accounts.models import User
from hub.accounts.services import user_create
from tests.common.otp import totp_token
from tests.hub.dashboards.support import seed_cells
from tests.hub.ingest.support import SigningNode

PASSWORD = "la pirogue traverse le fleuve"
LOGIN = "/connexion/"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "test-output" / "screenshots" / "hub"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_serial = count(1)


def make_user(role: str) -> tuple[User, TOTPDevice]:
    user, device = user_create(
        actor=None, username=f"{role}{next(_serial)}", role=role, password=PASSWORD, with_otp=True
    )
    assert device is not None
    return user, device


def credentials(user: User, device: TOTPDevice) -> dict[str, str]:
    return {"username": user.username, "password": PASSWORD, "otp_token": totp_token(device)}


def web_client(role: str) -> Client:
    """A client logged in through the dashboards' log-in page."""
    client = Client()
    response = client.post(LOGIN, credentials(*make_user(role)))
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def hub_user(db: None) -> Callable[[str], Client]:
    return web_client


@pytest.fixture
def seeded(db: None) -> None:
    SigningNode.register("SN-TGI-KED")
    SigningNode.register("SN-TGI-STL")
    seed_cells()


# --- the browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls (creating users, reading TOTP devices) are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page: Any) -> Callable[[str], Path]:
    """Save a full-page screenshot under var/test-output/screenshots/hub/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def browser_login(page: Any, live_server: Any) -> Callable[[str], Any]:
    """Log the page in, as a new user of ``role``, by typing into the log-in form."""

    def login(role: str) -> Any:
        user, device = make_user(role)
        page.goto(f"{live_server.url}{LOGIN}")
        page.get_by_label("Identifiant").fill(user.username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_label("Code à usage unique", exact=False).fill(totp_token(device))
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return login
