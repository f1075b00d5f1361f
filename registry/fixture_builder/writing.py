"""Writing the fixture files."""

import json
from pathlib import Path

from django.conf import settings


def write_json(path: Path, objects: list[dict]) -> None:
    text = json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def shown(path: Path) -> str:
    """`path` relative to the repository when it lies inside it, for messages."""
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)
