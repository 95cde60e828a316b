#!/usr/bin/env python3
"""Write plotly.js's own style sheets as static files, for our Content-Security-Policy.

plotly.js injects its CSS as <style> elements when it loads, which `style-src 'self'` refuses.
It skips that when the page already holds an element with the style element's id (and, for
its global rules, the class `no-inline-styles`): templates/reports/_plotly.html links these
files under those ids. Run again after upgrading static/vendor/plotly.min.js; it rewrites the
two CSS files and the template (the maplibre style's id is a hash of its content).

Usage: .venv/bin/python tools/extract_plotly_css.py   (needs Debian's chromium and playwright)
"""

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PLOTLY = ROOT / "static" / "vendor" / "plotly.min.js"
GLOBAL_ID = "plotly.js-style-global"
OUTPUT = {
    "global": ROOT / "static" / "vendor" / "plotly.css",
    "maplibre": ROOT / "static" / "vendor" / "plotly-maplibre.css",
}
TEMPLATE = ROOT / "templates" / "reports" / "_plotly.html"

TEMPLATE_TEXT = """{{% load static %}}{{% comment %}}
plotly.js without inline styles (Content-Security-Policy): its style sheets are static files,
under the ids plotly.js looks for before injecting style elements. Written by
tools/extract_plotly_css.py from static/vendor/plotly.min.js; run it again after an upgrade.
{{% endcomment %}}
<link rel="stylesheet" id="{global_id}" class="no-inline-styles" href="{{% static 'vendor/plotly.css' %}}">
<link rel="stylesheet" id="{maplibre_id}" href="{{% static 'vendor/plotly-maplibre.css' %}}">
<script src="{{% static 'vendor/plotly.min.js' %}}" defer></script>
"""

READ_SHEETS = """() => Array.from(document.querySelectorAll('style')).map(style => ({
    id: style.id,
    css: Array.from(style.sheet.cssRules).map(rule => rule.cssText).join('\\n'),
}))"""


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=["--no-sandbox"]
        )
        page = browser.new_page()
        page.set_content("<!DOCTYPE html><html><head></head><body></body></html>")
        page.add_script_tag(path=str(PLOTLY))
        sheets = page.evaluate(READ_SHEETS)
        browser.close()
    by_role = {"global" if sheet["id"] == GLOBAL_ID else "maplibre": sheet for sheet in sheets}
    assert set(by_role) == {"global", "maplibre"} and len(sheets) == 2, [s["id"] for s in sheets]
    header = f"/* Extracted from {PLOTLY.relative_to(ROOT)} by tools/extract_plotly_css.py: do not edit. */\n"
    for role, path in OUTPUT.items():
        path.write_text(header + by_role[role]["css"] + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(by_role[role]['css'])} characters")
    TEMPLATE.write_text(
        TEMPLATE_TEXT.format(global_id=GLOBAL_ID, maplibre_id=by_role["maplibre"]["id"]), encoding="utf-8"
    )
    print(f"{TEMPLATE.relative_to(ROOT)}: maplibre style id {by_role['maplibre']['id']}")


if __name__ == "__main__":
    main()
