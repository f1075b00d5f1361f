"""Illustration images for some demo products: flat drawings, never photographs."""

import re
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from core.text import fold

from .reading import DataError

# Illustration images: how many products of each category to illustrate (first
# ones in CSV order), and the flat palette used for them: background, far hill,
# near hill, sun, disc.
IMAGE_QUOTAS = {
    "che": 2,
    "tra-thuc-vat-khac": 1,
    "thuc-pham-tuoi-song": 1,
    "thuc-pham-so-che": 2,
    "thuc-pham-che-bien": 2,
    "do-uong-co-con": 2,
    "thuc-pham-chuc-nang": 1,
    "du-lich-cong-dong": 1,
}
PALETTES = {
    "che": ("#e8f0df", "#a9c68f", "#6f9a55", "#f3e3a4", "#3f6b35"),
    "tra-thuc-vat-khac": ("#eef0dc", "#c2c98f", "#8e9a5a", "#f1d9a0", "#5e6b34"),
    "thuc-pham-tuoi-song": ("#f3f0dd", "#b9d08c", "#7fa653", "#f6c57a", "#4f7a2f"),
    "thuc-pham-so-che": ("#fbf1dc", "#f0cd85", "#d9a441", "#fbe3a6", "#9a6412"),
    "thuc-pham-che-bien": ("#f6ede1", "#e0c3a0", "#bf9466", "#f4d7a8", "#7a5230"),
    "do-uong-co-con": ("#f1e6ea", "#d4aab8", "#a86b82", "#f2d4a2", "#6b2f47"),
    "thuc-pham-chuc-nang": ("#fcf3d9", "#f2d27a", "#e0a92e", "#fff0b8", "#a8650b"),
    "du-lich-cong-dong": ("#e3eff5", "#a8cbb0", "#6e9f7a", "#f8df9c", "#2f5f74"),
}
IMAGE_SIZE = (800, 600)


def initials(name: str) -> str:
    # The built-in font has no Vietnamese letters, so the initials are folded to ASCII.
    words = [word for word in re.split(r"[\s,()]+", fold(name)) if word]
    return "".join(word[0] for word in words[:3]).upper()


def draw_illustration(name: str, palette: tuple[str, ...], path: Path) -> None:
    background, far_hill, near_hill, sun, disc = palette
    width, height = IMAGE_SIZE
    image = Image.new("RGB", IMAGE_SIZE, background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((600, 60, 720, 180), fill=sun)
    draw.ellipse((-200, 380, 560, 900), fill=far_hill)
    draw.ellipse((260, 420, 1040, 960), fill=far_hill)
    draw.ellipse((-100, 470, 900, 1000), fill=near_hill)
    draw.ellipse((width // 2 - 130, 150, width // 2 + 130, 410), fill=disc)
    font = ImageFont.load_default(size=96)
    draw.text((width // 2, 280), initials(name), fill=background, font=font, anchor="mm")
    image.save(path, "WEBP", quality=80, method=6)
    if path.stat().st_size > 40_000:
        raise DataError(f"{path.name} is over 40 KB")


def write_images(chosen: list[tuple[dict, str]], folder: Path) -> None:
    """Replace the .webp files in `folder` by one illustration per chosen product."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.webp"):
        old.unlink()
    for product, category_slug in chosen:
        draw_illustration(
            product["name"], PALETTES[category_slug], folder / f"{product['slug']}-1.webp"
        )
