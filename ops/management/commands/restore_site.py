from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Load an archive written by backup_site into an empty, freshly migrated database, with "
        "its media files. All or nothing: the rows are replaced in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .tar.gz written by backup_site.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even if the database holds data: every row is replaced.",
        )

    def handle(self, *args, path, force=False, **options):
        try:
            manifest = restore_backup(Path(path), force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path} (made {manifest['created']}): "
                f"{sum(manifest['rows'].values())} rows, {len(manifest['media'])} media files."
            )
        )
