"""Source links stored before issue 24 were kept as typed: quotes, angle brackets and spaces
included. They are rewritten as the API and the form now store them (journeymap/web_urls.py):
unsafe characters percent-encoded, the host lower-cased. A link the new rule would refuse
(an ftp:// one, which Django's URLValidator let through) is kept, only encoded, so that no
one's source is lost."""

from django.db import migrations


def normalise(apps, schema_editor):
    from journeymap.web_urls import uri_encoded

    Insight = apps.get_model("insights", "Insight")
    for insight in Insight.objects.exclude(source_url="").only("pk", "source_url").iterator():
        normalised = uri_encoded(insight.source_url)[:1000]
        if normalised != insight.source_url:
            Insight.objects.filter(pk=insight.pk).update(source_url=normalised)


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_insights_and_links")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop, elidable=True)]
