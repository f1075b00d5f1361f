
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalogue', '0013_stored_certificate_index'),
        ('places', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where the catalogue app made them: only Django's state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CommuneEditor',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('communes', models.ManyToManyField(blank=True, related_name='editors', to='places.commune', verbose_name='communes')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='commune_editor', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'commune editor',
                        'verbose_name_plural': 'commune editors',
                        'db_table': 'catalogue_communeeditor',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
