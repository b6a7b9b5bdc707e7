"""exportjob moves here from maps/ with its table and rows (maps_exportjob is kept as it is).

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
        ("maps", "0004_workspace_template"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExportJob",
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
                            "format",
                            models.CharField(
                                choices=[("pdf", "PDF"), ("png", "PNG"), ("csv", "CSV")],
                                max_length=4,
                            ),
                        ),
                        ("options", models.JSONField(blank=True, default=dict)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("done", "Done"),
                                    ("failed", "Failed"),
                                ],
                                default="queued",
                                max_length=8,
                            ),
                        ),
                        ("progress", models.PositiveSmallIntegerField(default=0)),
                        ("file", models.FileField(blank=True, upload_to="exports/%Y/%m/")),
                        ("error", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "map",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="exports",
                                to="maps.journeymap",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "export job",
                        "db_table": "maps_exportjob",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_type_move("exportjob", old="maps", new="exports"),
    ]
