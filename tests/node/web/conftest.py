"""Fixtures of the web interface tests: staff logged in through the log-in page,
a seeded case, and (for ``browser`` tests) Debian's chromium driven by Playwright
against pytest-django's ``live_server``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from node.accounts.models import User
from node.accounts.roles import Role
from tests.node import factories
from tests.node.personas import PASSWORD, make_user, totp_token

LOGIN = "/connexion/"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def web_login(client: Client, user: User, device: TOTPDevice | None) -> Client:
    """Log ``client`` in through the web log-in form; fails the test if refused."""
    data = {"username": user.username, "password": PASSWORD}
    if device is not None:
        data["otp_token"] = totp_token(device)
    response = client.post(LOGIN, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.user = user  # type: ignore[attr-defined]
    return client


def web_client(role: str, **user: Any) -> Client:
    return web_login(Client(), *make_user(role, **user))


@pytest.fixture
def web_staff(db: None) -> Callable[..., Client]:
    """A client logged in through /connexion/ with the given role (a new user each call)."""
    return web_client


@pytest.fixture
def greffier(db: None) -> Client:
    return web_client(Role.CLERK)


@pytest.fixture
def seeded_case(db: None) -> factories.FullCase:
    author, _ = make_user(Role.CLERK)
    return factories.full_case(author)


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
    """Save a full-page screenshot under var/test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
