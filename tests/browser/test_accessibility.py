"""axe-core on the main pages: no serious or critical violation.

axe.min.js comes from the npm package (package.json; `npm ci`) and is injected into
each page. The site's CSP allows scripts from itself only, so these pages are opened
in a context that bypasses CSP for the injected script.
"""

import json
import os
from collections import Counter

import pytest
from django.urls import NoReverseMatch, reverse

from catalogue.models import Product

from .conftest import DESKTOP, PHONE

BLOCKING = {"serious", "critical"}


def pages_to_check() -> dict[str, str]:
    product = Product.objects.get(name="Chè Đinh Tân Cương")
    pages = {
        "home": reverse("catalogue:home"),
        "list": reverse("catalogue:product-list"),
        "list, filtered": reverse("catalogue:product-list") + "?stars=5&q=che",
        "list, empty": reverse("catalogue:product-list") + "?q=khong+co+gi+ca",
        "detail": product.get_absolute_url(),
        "commune": product.producer.commune.get_absolute_url(),
        "verify": reverse("certification:verify"),
        "verify, real code": reverse("certification:verify") + "?q=" + product.public_code,
        "verify, unknown code": reverse("certification:verify") + "?q=TN-OCOP-9999",
        "not found": "/khong-co-trang-nay/",
        "detail, English": "/en" + product.get_absolute_url(),
    }
    try:
        pages["statistics"] = reverse("catalogue:statistics")
    except NoReverseMatch:
        pass  # the statistics page is not part of this version
    return pages


def run_axe(page, axe_path) -> list[dict]:
    page.add_script_tag(path=str(axe_path))
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))})))"
    )
    return result


# On a phone, the pages whose layout changes most (header, drawer, grid, charts).
ON_PHONE = {"home", "list, filtered", "detail", "verify, real code", "statistics"}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_no_serious_or_critical_axe_violations(site, new_context, axe_path, viewport):
    """axe-core finds no serious or critical violation on any main page."""
    page = new_context(viewport=viewport, bypass_csp=True).new_page()
    pages = pages_to_check()
    if viewport == PHONE:
        pages = {name: path for name, path in pages.items() if name in ON_PHONE}
    report = {}
    for name, path in pages.items():
        page.goto(site + path)
        report[name] = run_axe(page, axe_path)

    impacts = Counter(v["impact"] for violations in report.values() for v in violations)
    counts = dict(impacts) or "none"
    lines = [f"axe-core at {viewport['width']} px on {len(report)} pages: {counts}"]
    for name, violations in report.items():
        for v in violations:
            lines.append(f"  {name}: [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])})")
    print("\n".join(lines))
    if os.environ.get("AXE_REPORT"):
        with open(os.environ["AXE_REPORT"], "a", encoding="utf-8") as file:
            file.write(json.dumps({"width": viewport["width"], "pages": report}) + "\n")
    if "statistics" not in pages_to_check():
        print("  (no statistics page: catalogue:statistics does not exist)")

    blocking = [
        (name, v["impact"], v["id"], v["nodes"][:5])
        for name, violations in report.items()
        for v in violations
        if v["impact"] in BLOCKING
    ]
    assert not blocking, "\n".join(lines)
