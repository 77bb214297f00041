"""How pages look: each on a phone and a wide screen, in light and dark, with no sideways
scrolling, and a screenshot of each to look at (tests/e2e/screenshots/).

A page's layout does not depend on the database, so the four looks and their screenshots are
taken in embedded mode (SQLite, CI's first pass); in scale-out mode each page is loaded once, on
a phone in light, and checked for sideways scrolling."""

from __future__ import annotations

from playwright.sync_api import Browser
from tests.e2e.test_first_conversation import shot
from tests.e2e.test_internal_space import log_in
from tests.installations import POSTGRES


def look_at(
    browser: Browser, server: str, pages: list[tuple[str, str]], *, handle: str | None = None
) -> None:
    looks = [("light", 360)] if POSTGRES else [(s, w) for s in ("light", "dark") for w in (360, 1280)]
    for scheme, width in looks:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=scheme, locale="zh-TW"
        )
        try:
            page = context.new_page()
            if handle:
                log_in(page, server, handle)
            for name, url in pages:
                page.goto(url)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{name} {width}px {scheme}: {overflow}px wider than the screen"
                if not POSTGRES:
                    shot(page, f"{name}-{width}-{scheme}")
        finally:
            context.close()
