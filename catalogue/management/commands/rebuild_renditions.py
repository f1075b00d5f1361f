from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction

from catalogue.models import ProductImage


class Command(BaseCommand):
    help = "Recut the renditions (400, 800, 1600 px wide; WebP and JPEG) of every product image."

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing", action="store_true", help="Only images that have no renditions yet."
        )
        parser.add_argument("--dry-run", action="store_true", help="Count, write nothing.")

    def handle(self, *args, missing=False, dry_run=False, **options):
        product_images = ProductImage.objects.order_by("pk")
        if missing:
            product_images = product_images.filter(renditions={})
        done, failed = 0, 0
        for image in product_images.iterator():
            if dry_run:
                done += 1
                continue
            try:
                with transaction.atomic():
                    image.set_renditions()
                    image.save(update_fields=["width", "height", "renditions"])
            except (OSError, ValidationError) as error:
                failed += 1
                self.stderr.write(f"{image.image.name}: {error}")
                continue
            done += 1
        verb = "Would rebuild" if dry_run else "Rebuilt"
        self.stdout.write(self.style.SUCCESS(f"{verb} the renditions of {done} images."))
        if failed:
            self.stdout.write(self.style.WARNING(f"{failed} images could not be read."))
