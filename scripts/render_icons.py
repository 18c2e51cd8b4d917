"""Render the app's icons (static/icons/*.svg) to the PNG sizes the manifest and iOS need.

Run after changing an SVG: `.venv/bin/python scripts/render_icons.py`. Uses Debian's
Chromium (/usr/bin/chromium, or $CHROMIUM) through Playwright, and commits nothing itself.

- icon-192.png, icon-512.png: the rounded icon ("purpose": "any").
- icon-maskable-512.png: full-bleed, the mark inside the central safe circle (40 % radius),
  for Android's adaptive icons.
- apple-touch-icon.png (180): full-bleed too, since iOS rounds the corners itself and shows
  a transparent corner as black.
- badge-96.png: the mark alone, white on transparent: Android draws a notification's badge
  from its alpha channel in the status bar.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parents[1] / "static" / "icons"
RENDERS = [
    ("icon.svg", "icon-192.png", 192),
    ("icon.svg", "icon-512.png", 512),
    ("icon-maskable.svg", "icon-maskable-512.png", 512),
    ("icon-maskable.svg", "apple-touch-icon.png", 180),
    ("badge.svg", "badge-96.png", 96),
]


def main() -> None:
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for source, target, size in RENDERS:
            page = browser.new_page(viewport={"width": size, "height": size})
            svg = (ICONS / source).read_text()
            page.set_content(
                "<!doctype html><html><head><style>html,body{margin:0;background:transparent}"
                f"svg{{display:block;width:{size}px;height:{size}px}}</style></head>"
                f"<body>{svg}</body></html>"
            )
            page.screenshot(path=str(ICONS / target), omit_background=True)
            page.close()
            print(f"{target}: {size}x{size}")
        browser.close()


if __name__ == "__main__":
    main()
