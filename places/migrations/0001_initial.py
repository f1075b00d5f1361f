
import django.db.models.deletion
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
                    name='Commune',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('kind', models.CharField(choices=[('xa', 'commune (xã)'), ('phuong', 'ward (phường)')], max_length=10, verbose_name='kind')),
                        ('slug', models.SlugField(blank=True, help_text='Empty: made from the name.', max_length=100, unique=True, verbose_name='slug')),
                        ('former_units', models.TextField(blank=True, help_text='The units merged into it on 1 July 2025.', verbose_name='former units')),
                        ('source', models.CharField(blank=True, max_length=300, verbose_name='source')),
                    ],
                    options={
                        'verbose_name': 'commune',
                        'verbose_name_plural': 'communes',
                        'db_table': 'catalogue_commune',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='CommuneAlias',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='former name')),
                        ('former_kind', models.CharField(blank=True, max_length=20, verbose_name='former kind')),
                        ('former_district', models.CharField(blank=True, max_length=100, verbose_name='former district')),
                        ('former_province', models.CharField(blank=True, max_length=100, verbose_name='former province')),
                        ('slug', models.SlugField(max_length=100, verbose_name='slug')),
                        ('commune', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='aliases', to='places.commune', verbose_name='commune')),
                    ],
                    options={
                        'verbose_name': 'former unit',
                        'verbose_name_plural': 'former units',
                        'db_table': 'catalogue_communealias',
                        'ordering': ['name'],
                        'indexes': [models.Index(fields=['slug'], name='catalogue_c_slug_6b3b6d_idx')],
                        'constraints': [models.UniqueConstraint(fields=('commune', 'name', 'former_district'), name='commune_alias_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
