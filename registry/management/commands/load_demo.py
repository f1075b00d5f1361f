from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from places.models import Commune

FIXTURES = ["communes", "categories", "sources", "register", "events", "points_of_sale"]
DEMO_MEDIA = Path(settings.BASE_DIR) / "fixtures" / "media"


class Command(BaseCommand):
    help = (
        "Load the communes, categories and demo products into an empty database, "
        "and copy the demo images into media storage."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if the database has data: fixture rows overwrite staff edits to them.",
        )

    def handle(self, *args, force=False, **options):
        if Commune.objects.exists() and not force:
            self.stdout.write("The catalogue already has data; nothing loaded (use --force).")
            return
        with transaction.atomic():
            call_command("loaddata", *FIXTURES, verbosity=options["verbosity"])
        copied = 0
        for path in sorted(DEMO_MEDIA.rglob("*")):
            name = path.relative_to(DEMO_MEDIA).as_posix()
            if path.is_file() and not default_storage.exists(name):
                with path.open("rb") as file:
                    default_storage.save(name, file)
                copied += 1
        call_command("rebuild_renditions", missing=True, verbosity=options["verbosity"])
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {', '.join(FIXTURES)}; copied {copied} images.")
        )
