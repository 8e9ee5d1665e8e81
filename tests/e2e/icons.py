"""The site's icons and share picture: `make icons` (or .venv/bin/python tests/e2e/icons.py).

Draws, in Debian's Chromium, from static/img/icon.svg (the mark: a four-pointed star on the
site's pink) and from the page below (the share picture), and writes into static/img/:

    favicon.ico             16, 32 and 48 px, for browsers and crawlers that ask /favicon.ico
    apple-touch-icon.png    180 px, for a phone's home screen (iOS)
    icon-192.png, icon-512.png            the web app manifest's icons
    icon-maskable-512.png   the mark inside the safe zone, for launchers that crop to a shape
    share.png               1200x630, what a shared link shows; the text is laid out by the
                            browser and checked to fit before the picture is saved

Needs fonts-noto-cjk (`make browser`). Not a test: pytest doesn't collect it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
IMG = ROOT / "static" / "img"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
PINK = "#b3124a"

SHARE_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8"><style>
  html, body { margin: 0; }
  body { width: 1200px; height: 630px; box-sizing: border-box; padding: 80px 88px;
         display: flex; flex-direction: column; justify-content: center; gap: 28px;
         background: #b3124a; color: #fff; overflow: hidden;
         font-family: system-ui, "Noto Sans", "Noto Sans CJK KR", sans-serif; }
  .brand { display: flex; align-items: center; gap: 28px; font-size: 112px; font-weight: 800;
           line-height: 1; }
  .brand svg { width: 112px; height: 112px; flex: none; }
  p { margin: 0; font-size: 46px; line-height: 1.25; max-width: 1000px; }
  .native { font-size: 40px; opacity: 0.92; }
</style>
<div class="brand">MARK<span>fansite</span></div>
<p>LE SSERAFIM's releases, members and music videos, and the fans who talk about them.</p>
<p class="native" lang="ko">르세라핌 · FEARNOT</p>
</html>"""

# Every element inside the page: nothing may stick out of it or be cut.
OVERFLOW = """() => [...document.querySelectorAll('body *')].filter((element) => {
  const box = element.getBoundingClientRect();
  const cut = element.scrollWidth > element.clientWidth + 1;
  return box.right > 1200 - 40 || box.bottom > 630 - 30 || cut;
}).map((element) => element.outerHTML.slice(0, 80))"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    mark = (IMG / "icon.svg").read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 630})

        def draw(size: int, *, inset: float = 0) -> Image.Image:
            """The mark at size px; `inset` leaves a margin of the pink (maskable icons)."""
            page.set_viewport_size({"width": size, "height": size})
            inner = round(size * (1 - 2 * inset))
            page.set_content(
                f'<body style="margin:0;background:{PINK if inset else "transparent"};'
                f'display:grid;place-items:center;width:{size}px;height:{size}px">'
                f'<div style="width:{inner}px;height:{inner}px">'
                + mark.replace('width="32" height="32"', 'width="100%" height="100%"')
                + "</div></body>"
            )
            png = page.screenshot(omit_background=not inset)
            return Image.open(io.BytesIO(png)).convert("RGBA")

        draw(512).save(IMG / "icon-512.png", optimize=True)
        draw(192).save(IMG / "icon-192.png", optimize=True)
        draw(512, inset=0.1).save(IMG / "icon-maskable-512.png", optimize=True)
        draw(180, inset=0.06).convert("RGB").save(IMG / "apple-touch-icon.png", optimize=True)
        draw(48).save(IMG / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])

        page.set_viewport_size({"width": 1200, "height": 630})
        page.set_content(SHARE_PAGE.replace("MARK", mark))
        page.evaluate("document.fonts.ready.then(() => true)")
        if sticking_out := page.evaluate(OVERFLOW):
            raise SystemExit(f"The share picture's text does not fit: {sticking_out}")
        page.screenshot(path=str(IMG / "share.png"))
        browser.close()
    for name in ("favicon.ico", "apple-touch-icon.png", "icon-192.png", "icon-512.png"):
        print(f"Saved static/img/{name}")  # noqa: T201
    print("Saved static/img/icon-maskable-512.png and static/img/share.png")  # noqa: T201


if __name__ == "__main__":
    main()
