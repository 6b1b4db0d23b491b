"""Render the installable app's icons (dangjian/static/img/icon-*.png) from the favicon's design with chromium.

Run once when the design changes; the PNGs are committed:
    python scripts/make_icons.py dangjian/static/img
"""

import sys

from playwright.sync_api import sync_playwright

OUT = sys.argv[1]
# any: rounded red tile, gold 党; maskable: full-bleed red, the glyph inside the 80% safe zone
ANY = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="{s}" height="{s}"><rect width="32" height="32" rx="6" fill="#c8161d"/><text x="16" y="23.5" font-size="19" text-anchor="middle" fill="#ffd75e" font-family="Noto Sans CJK SC, sans-serif" font-weight="700">党</text></svg>"""
MASK = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="{s}" height="{s}"><rect width="32" height="32" fill="#c8161d"/><text x="16" y="21.2" font-size="14" text-anchor="middle" fill="#ffd75e" font-family="Noto Sans CJK SC, sans-serif" font-weight="700">党</text></svg>"""
with sync_playwright() as pw:
    b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    for name, svg, size in (
        ("icon-192.png", ANY, 192),
        ("icon-512.png", ANY, 512),
        ("icon-maskable-512.png", MASK, 512),
        ("apple-touch-icon.png", MASK, 180),
    ):
        p = b.new_page(viewport={"width": size, "height": size})
        p.set_content(
            f"<html><body style='margin:0;background:transparent'>{svg.format(s=size)}</body></html>"
        )
        p.locator("svg").screenshot(path=f"{OUT}/{name}", omit_background=True)
        p.close()
    b.close()
