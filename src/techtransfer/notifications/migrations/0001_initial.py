# The Notification model moved here from the matching app. Its table (matching_notification, created by
# matching 0001) and rows stay where they are: this migration only adds the model to the migration state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('matching', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('url', models.CharField(blank=True, max_length=300, verbose_name='link')),
                        ('read', models.BooleanField(db_index=True, default=False, verbose_name='read')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'matching_notification',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
