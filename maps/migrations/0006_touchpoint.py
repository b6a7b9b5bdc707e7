"""The Touchpoint proxy model moves here from touchpoints (touchpoints/0002), with its
content type, so permissions granted on it stay granted."""

from django.db import migrations

from journeymap.model_moves import content_type_move


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0005_models_moved_out"),
        ("touchpoints", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Touchpoint",
                    fields=[],
                    options={
                        "verbose_name": "touchpoint",
                        "verbose_name_plural": "touchpoints",
                        "proxy": True,
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=("maps.item",),
                ),
            ],
            database_operations=[],
        ),
        content_type_move("touchpoint", old="touchpoints", new="maps"),
    ]
