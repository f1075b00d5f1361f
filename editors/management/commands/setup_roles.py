from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from editors.roles import ROLES


class Command(BaseCommand):
    help = (
        "Create or update the 'Provincial editors' and 'Commune editors' groups with exactly "
        "their model permissions. Safe to run again."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            for name, models in ROLES.items():
                wanted = {
                    (app_label, f"{action}_{model}")
                    for (app_label, model), actions in models.items()
                    for action in actions
                }
                permissions = [
                    permission
                    for permission in Permission.objects.filter(
                        content_type__app_label__in={app_label for app_label, _model in models}
                    ).select_related("content_type")
                    if (permission.content_type.app_label, permission.codename) in wanted
                ]
                if len(permissions) != len(wanted):
                    found = {(p.content_type.app_label, p.codename) for p in permissions}
                    missing = ", ".join(".".join(key) for key in sorted(wanted - found))
                    raise CommandError(f"Permissions missing (run migrate first): {missing}")
                group, created = Group.objects.get_or_create(name=name)
                group.permissions.set(permissions)
                verb = "Created" if created else "Updated"
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{verb} group '{name}' with {len(permissions)} permissions."
                    )
                )
