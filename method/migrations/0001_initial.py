"""workspacetemplate moves here from maps/ with its table and rows (maps_workspacetemplate is kept as it is).

State only: maps' migrations made the table; maps/0005 forgets the model in maps' state.
The content type moves with it, so permissions granted on it stay granted.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

from journeymap.model_moves import content_type_move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("workspaces", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkspaceTemplate",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "name_vi",
                            models.CharField(max_length=120, verbose_name="name (Vietnamese)"),
                        ),
                        (
                            "name_en",
                            models.CharField(max_length=120, verbose_name="name (English)"),
                        ),
                        (
                            "description",
                            models.CharField(
                                blank=True, max_length=500, verbose_name="description"
                            ),
                        ),
                        ("document", models.JSONField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "workspace",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="map_templates",
                                to="workspaces.workspace",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "workspace template",
                        "db_table": "maps_workspacetemplate",
                        "ordering": ["workspace", "name_vi"],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_type_move("workspacetemplate", old="maps", new="method"),
    ]
