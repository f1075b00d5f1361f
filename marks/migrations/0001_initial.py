
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalogue', '0013_stored_certificate_index'),
    ]

    operations = [
        # The tables stay where the catalogue app made them: only Django's state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='QualityMark',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('gi', 'geographical indication'), ('collective_trademark', 'collective trademark'), ('vietgap', 'VietGAP'), ('organic', 'organic'), ('other', 'other')], max_length=30, verbose_name='kind')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('slug', models.SlugField(blank=True, help_text='Empty: made from the name.', max_length=100, unique=True, verbose_name='slug')),
                        ('number', models.CharField(blank=True, help_text='Certificate or registration number.', max_length=100, verbose_name='number')),
                        ('issuer', models.CharField(blank=True, max_length=200, verbose_name='issuing body')),
                        ('decision', models.CharField(blank=True, max_length=100, verbose_name='decision')),
                        ('date', models.DateField(blank=True, null=True, verbose_name='date')),
                        ('area', models.CharField(blank=True, max_length=300, verbose_name='area covered')),
                        ('source_url', models.URLField(blank=True, max_length=500, verbose_name='source')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('products', models.ManyToManyField(blank=True, related_name='quality_marks', to='catalogue.product', verbose_name='products')),
                    ],
                    options={
                        'verbose_name': 'quality mark',
                        'verbose_name_plural': 'quality marks',
                        'db_table': 'catalogue_qualitymark',
                        'ordering': ['kind', 'name'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
