"""A browser context signed in to the hub as a demo person, with the password form, as they would sign in."""

from __future__ import annotations

from urllib.parse import urlparse


def sign_in(browser, hub, user: str, **context_options):
    """A new context of ``browser`` whose cookies are ``user``'s session on the hub (no server spawned)."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login?next=/hub/home")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(hub.passwords[user])
    with page.expect_navigation(timeout=30_000):
        page.locator("form [type=submit]").first.click()
    assert urlparse(page.url).path == "/hub/home", f"{user} could not sign in: {page.url}"
    page.close()
    return context
