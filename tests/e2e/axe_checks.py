"""The explicit accessibility check of a page at given widths (the shared watch in ``conftest``
checks every page at the end of a test; this one checks a state at the moment a test asks)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
WIDTHS = ((1366, 900), (375, 740))


def accessible(target, where: str, page=None, widths=WIDTHS) -> None:
    """No serious or critical axe-core violation in ``target`` (a page or a frame of ``page``), and
    nothing wider than the screen, at each width."""
    page = page or target
    for width, height in widths:
        page.set_viewport_size({"width": width, "height": height})
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in AXE.run(target).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not violations, f"{where} at {width}px: {violations}"
        scroll = target.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{where} is {scroll}px wide at {width}px"
    page.set_viewport_size({"width": 1366, "height": 900})
