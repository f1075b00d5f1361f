from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "ocop-thai-nguyen"


class Command(BaseCommand):
    help = "Create the local demo staff account (admin / ocop-thai-nguyen). DEBUG only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo staff account is for local development (DEBUG=1) only.")
        user_model = get_user_model()
        if user_model.objects.filter(username=USERNAME).exists():
            self.stdout.write(f"Staff account '{USERNAME}' already exists.")
            return
        user_model.objects.create_superuser(USERNAME, "admin@example.invalid", PASSWORD)
        self.stdout.write(
            self.style.SUCCESS(f"Created staff account '{USERNAME}' with password '{PASSWORD}'.")
        )
