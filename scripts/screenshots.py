"""Full-page screenshots of the main pages at 375 px (phone) and 1280 px (desktop).

Serves the default database (db.sqlite3, or $DATABASE_URL) with runserver on a free
127.0.0.1 port and shoots it with Debian's Chromium through Playwright, into
docs/screenshots/<page>-375.png and <page>-1280.png. `make screenshots` loads the
demo data first.

    .venv/bin/python scripts/screenshots.py
"""

import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = {375: 800, 1280: 900}
HOST = "127.0.0.1"

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop_site.settings")


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("== installing chromium (apt-get install chromium)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
    if not CHROMIUM.exists():
        sys.exit(f"Chromium not found at {CHROMIUM}: run `apt-get install chromium` (Debian).")


def free_port() -> int:
    for _ in range(50):
        port = random.randint(20000, 29999)
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) != 0:
                return port
    sys.exit("No free port between 20000 and 29999.")


def pages() -> dict[str, str]:
    """Page name → path, from the database being served."""
    import django

    django.setup()
    from django.urls import NoReverseMatch, reverse

    from catalogue.models import Product

    products = Product.objects.for_listing().by_stars_then_name()
    product = products.filter(images__isnull=False).first() or products.first()
    result = {
        "home": reverse("catalogue:home"),
        "product-list": reverse("catalogue:product-list"),
    }
    if product:
        result["product-detail"] = product.get_absolute_url()
        if product.producer.commune:
            result["commune"] = product.producer.commune.get_absolute_url()
        result["verify"] = reverse("certification:verify") + "?q=" + product.public_code
    else:
        print("No published product: no product, commune or verify page.", file=sys.stderr)
    try:
        result["statistics"] = reverse("catalogue:statistics")
    except NoReverseMatch:
        pass
    return result


def wait_for(url: str, server: subprocess.Popen) -> None:
    for _ in range(120):
        if server.poll() is not None:
            sys.exit("The server stopped before answering.")
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{url} did not answer.")


def main() -> None:
    ensure_chromium()
    from playwright.sync_api import sync_playwright

    paths = pages()
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"{HOST}:{port}", "--noreload"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(base + "/", server)
        OUT.mkdir(parents=True, exist_ok=True)
        for old in OUT.glob("*.png"):
            old.unlink()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for width, height in WIDTHS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}, device_scale_factor=1
                )
                page = context.new_page()
                for name, path in paths.items():
                    page.goto(base + path, wait_until="networkidle")
                    target = OUT / f"{name}-{width}.png"
                    page.screenshot(path=target, full_page=True)
                    print(f"{target.relative_to(ROOT)}  {path}")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
