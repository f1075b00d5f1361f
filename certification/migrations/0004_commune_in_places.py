
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0003_store_current_stars'),
        ('places', '0001_initial'),
    ]

    operations = [
        # The tables stay where the catalogue app made them: only Django's state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='certificate',
                    name='commune',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='places.commune', verbose_name='commune at certification'),
                ),
                migrations.AlterField(
                    model_name='historicalcertificate',
                    name='commune',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='places.commune', verbose_name='commune at certification'),
                ),
            ],
            database_operations=[],
        ),
    ]
