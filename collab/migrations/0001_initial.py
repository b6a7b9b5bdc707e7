"""notification moves here from maps/ with its table and rows (maps_notification is kept as it is).

State only: maps' migrations made the table; maps/0005 forgets the model in maps' state.
The content type moves with it, so permissions granted on it stay granted.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from journeymap.model_moves import content_type_move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("maps", "0004_workspace_template"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("mention", "Mention"), ("reply", "Reply")], max_length=8
                            ),
                        ),
                        ("read", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "comment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to="maps.comment",
                            ),
                        ),
                        (
                            "map",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to="maps.journeymap",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "notification",
                        "db_table": "maps_notification",
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(
                                fields=["recipient", "read", "-created_at"],
                                name="maps_notifi_recipie_03477e_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("recipient", "comment", "kind"),
                                name="one_notification_per_comment",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_type_move("notification", old="maps", new="collab"),
    ]
