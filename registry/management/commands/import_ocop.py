from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.spreadsheets import write_file
from registry import exporting
from registry.importing import ImportFileError, import_file

# The outcome keys of ImportResult.counts(), as the summary names them.
MODELS = {
    "producer": "producers",
    "product": "products",
    "certificate": "ratings",
    "source": "sources",
}
ACTIONS = ["created", "updated", "unchanged"]
SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import producers, products, ratings and their sources from an OCOP register "
        "(.csv or .xlsx). "
        "A file with any invalid row writes nothing unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created, updated and left unchanged; write nothing.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and write a report of the invalid ones.",
        )
        parser.add_argument(
            "--report",
            type=Path,
            help="Where to write the invalid rows (CSV). Default with --skip-invalid: "
            "FILE-invalid-rows.csv beside the input.",
        )
        parser.add_argument(
            "--user",
            help="The username the history of the written objects records (default: none). "
            "The history's reason is always “import FILE”.",
        )

    def handle(self, *args, file, dry_run, skip_invalid, report, user, verbosity, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        if user is not None:
            try:
                user = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No such user: {user}") from None
        show_progress = verbosity >= 2 or (verbosity >= 1 and self.stderr.isatty())
        try:
            result = import_file(
                file,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                user=user,
                progress=self.progress if show_progress else None,
            )
        except ImportFileError as error:
            raise CommandError(f"{file}: {error}") from error

        for error in result.errors[:SHOWN_ERRORS]:
            self.stderr.write(
                _("Row %(row)s, column “%(column)s”, value “%(value)s”: %(message)s")
                % {
                    "row": error.row,
                    "column": error.column,
                    "value": error.value,
                    "message": error.message,
                }
            )
        if len(result.errors) > SHOWN_ERRORS:
            self.stderr.write(f"… and {len(result.errors) - SHOWN_ERRORS} more errors.")
        if result.errors and (report or skip_invalid):
            report = report or file.with_name(f"{file.stem}-invalid-rows.csv")
            write_file(report, exporting.ERROR_HEADERS, exporting.error_rows(result.errors))
            self.stderr.write(f"Invalid rows written to {report}")
        if verbosity >= 2:
            for change in result.changes:
                self.stdout.write(
                    f"Row {change.row}: {change.action} {change.model} “{change.label}” "
                    f"{', '.join(change.fields)}".rstrip()
                )
        self.summary(result)

        if result.errors and not skip_invalid:
            raise CommandError(
                f"{file} refused: {result.invalid_rows} invalid rows; nothing was written."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {file}."))

    def progress(self, done: int, total: int) -> None:
        self.stderr.write(f"{done}/{total} rows", ending="\n")

    def summary(self, result) -> None:
        counts = result.counts()
        self.stdout.write(f"{'':<14}" + "".join(f"{action:>11}" for action in ACTIONS))
        for model, label in MODELS.items():
            numbers = "".join(f"{counts[model][action]:>11}" for action in ACTIONS)
            self.stdout.write(f"{label:<14}{numbers}")
        self.stdout.write(f"{'invalid rows':<14}{result.invalid_rows:>11} of {result.rows}")
