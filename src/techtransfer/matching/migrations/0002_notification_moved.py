# The Notification model moved to the notifications app, which keeps using this app's table
# (matching_notification): the model leaves this app's migration state only; no table or row changes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0001_initial'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Notification'),
            ],
            database_operations=[],
        ),
    ]
