from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registry.fixture_builder import DataError, build


class Command(BaseCommand):
    help = (
        "Rebuild fixtures/communes.json, categories.json, demo.json and the demo images in "
        "fixtures/media from the CSV files of shared/data; the same data gives the same files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data",
            type=Path,
            default=Path(settings.BASE_DIR).parent / "shared" / "data",
            help="The folder of thai_nguyen_communes.csv and thai_nguyen_ocop_products.csv "
            "(default: ../shared/data next to the repository).",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.BASE_DIR) / "fixtures",
            help="Where to write the .json files and media/products/ (default: fixtures/).",
        )

    def handle(self, *args, data, output, **options):
        try:
            build(data, output.resolve(), report=self.stdout.write, warn=self.stderr.write)
        except DataError as error:
            raise CommandError(f"build_fixtures: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Fixtures built from {data}."))
