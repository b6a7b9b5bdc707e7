"""ExportJob, Notification and WorkspaceTemplate now belong to exports, collab and method
(their 0001 migrations): maps forgets them in its state; their tables and rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0004_workspace_template"),
        ("collab", "0001_initial"),
        ("exports", "0001_initial"),
        ("method", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="notification",
                    name="actor",
                ),
                migrations.RemoveField(
                    model_name="notification",
                    name="comment",
                ),
                migrations.RemoveField(
                    model_name="notification",
                    name="map",
                ),
                migrations.RemoveField(
                    model_name="notification",
                    name="recipient",
                ),
                migrations.RemoveField(
                    model_name="workspacetemplate",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="workspacetemplate",
                    name="workspace",
                ),
                migrations.DeleteModel(
                    name="ExportJob",
                ),
                migrations.DeleteModel(
                    name="Notification",
                ),
                migrations.DeleteModel(
                    name="WorkspaceTemplate",
                ),
            ],
            database_operations=[],
        ),
    ]
