"""The deep-zoom viewer, in a real browser: opened by keyboard, fed by the IIIF image service."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_the_viewer_opens_on_the_iiif_service_and_zooms_by_keyboard(app, live_server, make_item,
                                                                      page):
    item = make_item(title="Market Street from the clock tower")
    sha = item.images[0].sha256
    fetched: list[str] = []
    page.on("response", lambda r: fetched.append(f"{r.status} {r.url}"))

    page.goto(f"{live_server.url}/items/{item.identifier}")
    opener = page.get_by_role("button", name="Zoom and pan")
    opener.focus()
    page.keyboard.press("Enter")

    panel = page.locator(".viewer-panel")
    panel.wait_for(state="visible")
    assert opener.get_attribute("aria-expanded") == "true"
    # OpenSeadragon draws into a canvas once the first image from the service has arrived.
    page.locator("[data-viewer-canvas] canvas").first.wait_for(state="attached")
    page.wait_for_function(
        "() => [...performance.getEntriesByType('resource')]"
        ".some(e => e.name.includes('/default.jpg'))")
    assert any(f"/iiif/image/{sha}/info.json" in line and line.startswith("200")
               for line in fetched), fetched
    assert any(f"/iiif/image/{sha}/full/" in line and line.startswith("200")
               for line in fetched), fetched

    # Escape closes it and gives focus back to the button that opened it.
    page.locator("[data-viewer-canvas]").focus()
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.hasAttribute('data-viewer-open')")


def test_the_one_style_block_the_viewer_adds_is_the_one_the_policy_allows():
    """If OpenSeadragon's injected CSS changes, its hash in the policy must change with it."""
    import base64
    import hashlib
    import re

    from archive import VIEWER_STYLE_HASH
    from tests.browser.conftest import PROJECT_ROOT

    source = (PROJECT_ROOT / "node_modules/openseadragon/build/openseadragon/openseadragon.js"
              ).read_text()
    block = re.search(r"style\.textContent =\s*((?:'[^']*'\s*\+?\s*)+);", source)
    assert block, "OpenSeadragon no longer injects its style block the way the policy expects"
    css = "".join(re.findall(r"'([^']*)'", block.group(1)))
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == VIEWER_STYLE_HASH
