# What the chair read out, kept apart from the minutes' text the secretary may reword afterwards.

from django.db import migrations, models


def announced_from_text(apps, schema_editor):
    """Before this, the text was the only record: the best guess of what was read out is what it says now."""
    MinutesEntry = apps.get_model("minutes", "MinutesEntry")
    for entry in MinutesEntry.objects.filter(conclusion_announced_at__isnull=False).exclude(conclusions=""):
        entry.conclusion_announced = entry.conclusions
        entry.save(update_fields=["conclusion_announced"])


class Migration(migrations.Migration):
    dependencies = [
        ("minutes", "0004_remarks_due_and_assent"),
    ]

    operations = [
        migrations.AddField(
            model_name="minutesentry",
            name="conclusion_announced",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(announced_from_text, migrations.RunPython.noop),
    ]
