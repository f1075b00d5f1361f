from django.core.management.base import BaseCommand

from catalogue import caching


class Command(BaseCommand):
    help = (
        "Make every cached public page stale, after changes the cache cannot see: raw SQL, "
        "queryset.update() or bulk_create() from a shell."
    )

    def handle(self, *args, **options):
        caching.bump_version()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Cached pages will be drawn again."))
