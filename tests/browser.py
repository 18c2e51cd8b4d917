"""Helpers for the Playwright tests."""

from playwright.sync_api import Page


def wait_for_htmx(page: Page) -> None:
    """Wait until the page has loaded and htmx has wired up its forms.

    Playwright's click on a link returns once the next page is committed, before the deferred
    scripts run. A form used in that gap is sent by the browser itself (the app answers it, with
    a redirect); a test that checks the htmx path must wait for the page's `load` first.
    """
    page.wait_for_function("document.readyState === 'complete' && window.htmx !== undefined")
