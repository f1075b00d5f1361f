"""Communes, their former units, commune editors and quality marks moved to their own apps.

Their content types move with them, so permissions (the editor groups'), admin log entries
and history keep pointing at them.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = {"commune": "places", "communealias": "places", "communeeditor": "editors", "qualitymark": "marks"}


def move_content_types(apps, schema_editor, moves):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_types = content_type.objects.using(schema_editor.connection.alias)
    for model, (old_app, new_app) in moves.items():
        # One made for the new label meanwhile (by a migrate that stopped midway) has no
        # permissions or log entries that matter; the old one has them all.
        content_types.filter(app_label=new_app, model=model).delete()
        content_types.filter(app_label=old_app, model=model).update(app_label=new_app)


def relabel_content_types(apps, schema_editor):
    move_content_types(apps, schema_editor, {m: ("catalogue", app) for m, app in MOVED.items()})


def restore_content_types(apps, schema_editor):
    move_content_types(apps, schema_editor, {m: (app, "catalogue") for m, app in MOVED.items()})


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0013_stored_certificate_index'),
        ('certification', '0004_commune_in_places'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('editors', '0001_initial'),
        ('marks', '0001_initial'),
        ('places', '0001_initial'),
    ]

    operations = [
        # The tables stay where the catalogue app made them: only Django's state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='communeeditor',
                    name='communes',
                ),
                migrations.AlterField(
                    model_name='producer',
                    name='commune',
                    field=models.ForeignKey(blank=True, help_text='Leave empty when the source does not name the commune.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='producers', to='places.commune', verbose_name='commune'),
                ),
                migrations.AlterField(
                    model_name='historicalproducer',
                    name='commune',
                    field=models.ForeignKey(blank=True, db_constraint=False, help_text='Leave empty when the source does not name the commune.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='places.commune', verbose_name='commune'),
                ),
                migrations.RemoveField(
                    model_name='communeeditor',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='qualitymark',
                    name='products',
                ),
                migrations.DeleteModel(
                    name='CommuneAlias',
                ),
                migrations.DeleteModel(
                    name='Commune',
                ),
                migrations.DeleteModel(
                    name='CommuneEditor',
                ),
                migrations.DeleteModel(
                    name='QualityMark',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
