"""The third-party files served from static/vendor/ are the ones package.json pins."""

import json
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
LEAFLET = BASE_DIR / "node_modules" / "leaflet"


def test_leaflet_is_pinned_to_one_version():
    package = json.loads((BASE_DIR / "package.json").read_text())
    lock = json.loads((BASE_DIR / "package-lock.json").read_text())
    pinned = package["devDependencies"]["leaflet"]
    assert lock["packages"]["node_modules/leaflet"]["version"] == pinned


@pytest.mark.skipif(not LEAFLET.is_dir(), reason="node_modules/ not installed (npm ci)")
@pytest.mark.parametrize(
    "vendored, published",
    [
        ("leaflet.js", "dist/leaflet.js"),
        ("leaflet.css", "dist/leaflet.css"),
        ("images/marker-icon.png", "dist/images/marker-icon.png"),
        ("images/marker-icon-2x.png", "dist/images/marker-icon-2x.png"),
        ("images/marker-shadow.png", "dist/images/marker-shadow.png"),
        ("LICENSE", "LICENSE"),
    ],
)
def test_vendored_leaflet_matches_the_npm_package(vendored, published):
    """`make vendor` copied them; a hand edit or a stale copy fails here."""
    ours = BASE_DIR / "static" / "vendor" / "leaflet" / vendored
    assert ours.read_bytes() == (LEAFLET / published).read_bytes()
