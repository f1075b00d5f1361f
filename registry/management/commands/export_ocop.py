from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.models import Product
from core.spreadsheets import write_file
from registry import exporting


class Command(BaseCommand):
    help = (
        "Export the OCOP register (every product, one row per rating, with its sources) to a "
        ".xlsx or .csv file in the columns that import_ocop reads."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--english-headers",
            action="store_true",
            help="Write product_name, producer_name… instead of the Vietnamese headers.",
        )

    def handle(self, *args, file, english_headers, **options):
        if file.suffix.lower() not in {".xlsx", ".csv"}:
            raise CommandError("The file name must end in .xlsx or .csv.")
        rows = list(exporting.register_rows(Product.objects.all(), english=english_headers))
        write_file(file, exporting.headers(english_headers), rows)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(rows)} rows to {file}."))
