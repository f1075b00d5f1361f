from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ops.backup import BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Write the whole site (every table but sessions and login lockouts, and every media "
        "file) to one .tar.gz that restore_site loads into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="Where to write the archive (default: backups/ocop-<UTC date and time>.tar.gz).",
        )

    def handle(self, *args, path=None, **options):
        destination = Path(
            path or f"backups/ocop-{timezone.now().strftime('%Y%m%d-%H%M%S')}.tar.gz"
        )
        try:
            manifest = write_backup(destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {destination}: {sum(manifest['rows'].values())} rows, "
                f"{len(manifest['media'])} media files."
            )
        )
