"""How pages look: each on a phone and a wide screen, in light and dark, with no sideways
scrolling, and a screenshot of each to look at (tests/e2e/screenshots/)."""

from __future__ import annotations

from playwright.sync_api import Browser
from tests.e2e.test_first_conversation import shot
from tests.e2e.test_internal_space import log_in


def look_at(
    browser: Browser, server: str, pages: list[tuple[str, str]], *, handle: str | None = None
) -> None:
    for scheme in ("light", "dark"):
        for width in (360, 1280):
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
                    shot(page, f"{name}-{width}-{scheme}")
            finally:
                context.close()
