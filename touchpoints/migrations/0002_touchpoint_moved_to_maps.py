"""The Touchpoint proxy model now lives in maps (maps/0006): touchpoints keeps the channel
catalog, which maps and personas use, so that no two apps import each other. A proxy has no
table: only the state moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("touchpoints", "0001_initial"),
        ("maps", "0006_touchpoint"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Touchpoint")],
            database_operations=[],
        ),
    ]
