"""The Touchpoint proxy model moves here from touchpoints (touchpoints/0002), with its
content type, so permissions granted on it stay granted."""

from django.db import migrations


def content_type_move(apps, schema_editor, *, old="touchpoints", new="maps"):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label=new, model="touchpoint").exists():
        content_type.objects.filter(app_label=old, model="touchpoint").update(app_label=new)


def content_type_back(apps, schema_editor):
    content_type_move(apps, schema_editor, old="maps", new="touchpoints")


class Migration(migrations.Migration):

    dependencies = [
        ('maps', '0005_models_moved_out'),
        ('touchpoints', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Touchpoint',
                    fields=[],
                    options={
                        'verbose_name': 'touchpoint',
                        'verbose_name_plural': 'touchpoints',
                        'proxy': True,
                        'indexes': [],
                        'constraints': [],
                    },
                    bases=('maps.item',),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_move, content_type_back),
    ]
