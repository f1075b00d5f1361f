"""Every product's current stars, stored for today (catalogue 0012 added the columns).

Moved here from catalogue 0012, which imported the catalogue's code and depended on this
app: the migration reading certificates belongs to the app that owns them. The function is
a frozen copy, so later changes to the models' code cannot change what this migration does.
A database that ran it in catalogue 0012 runs it again: it only recomputes the same copy.
"""

import datetime

from django.db import migrations, models
from django.db.models import Case, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone


def store_current_stars(apps, schema_editor):
    product_model = apps.get_model("catalogue", "Product")
    certificate_model = apps.get_model("certification", "Certificate")
    on = timezone.localdate()
    theirs = certificate_model.objects.filter(product=OuterRef("pk")).order_by()

    def earliest(field, **after):
        first = theirs.filter(**after).values("product").annotate(day=models.Min(field))
        return Coalesce(
            Subquery(first.values("day")), Value(datetime.date.max), output_field=models.DateField()
        )

    in_force = Q(decision_date__lte=on, valid_until__gte=on) & ~Q(revoked_on__lte=on)
    current = theirs.filter(in_force).order_by("-decision_date", "-stars", "-pk")
    product_model.objects.update(
        stored_stars=Subquery(current.values("stars")[:1]),
        stored_certificate_id=Subquery(current.values("pk")[:1]),
        stored_stars_on=Case(
            When(Exists(theirs), then=Value(on)),
            default=Value(datetime.date.min),
            output_field=models.DateField(),
        ),
        stored_stars_changes_on=Least(
            earliest("decision_date", decision_date__gt=on),
            earliest("revoked_on", revoked_on__gt=on),
        ),
        stored_stars_last_day=earliest("valid_until", valid_until__gte=on),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0012_stored_stars"),
        ("certification", "0002_history"),
    ]

    operations = [
        migrations.RunPython(store_current_stars, migrations.RunPython.noop, elidable=True),
    ]
