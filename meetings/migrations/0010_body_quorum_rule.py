# A named quorum rule instead of a bare fraction: "at least two thirds" could not be written as
# "more than a fraction", and 50 (meaning per cent) was accepted as a fraction.

from django.db import migrations, models


def fraction_to_rule(apps, schema_editor):
    """"More than f" to the nearest rule: 0.5 was the default (more than half); 0.6 and above meant a
    two-thirds rule; below 0.5, at least half. A value over 1 (the field took up to 9.999) was per cent."""
    Body = apps.get_model("meetings", "Body")
    for body in Body.objects.all():
        fraction = float(body.quorum_fraction)
        if fraction > 1:
            fraction /= 100
        body.quorum_rule = "two_thirds" if fraction >= 0.6 else "half" if fraction < 0.5 else "more_than_half"
        body.save(update_fields=["quorum_rule"])


def rule_to_fraction(apps, schema_editor):
    Body = apps.get_model("meetings", "Body")
    Body.objects.filter(quorum_rule="two_thirds").update(quorum_fraction=0.666)
    Body.objects.filter(quorum_rule="half").update(quorum_fraction=0.499)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0009_user_body"),
    ]

    operations = [
        migrations.AddField(
            model_name="body",
            name="quorum_rule",
            field=models.CharField(
                choices=[
                    ("more_than_half", "More than half of the members with a vote"),
                    ("two_thirds", "At least two thirds of the members with a vote (sessions of a People's Committee)"),
                    ("half", "At least half of the members with a vote"),
                ],
                default="more_than_half",
                help_text="How many of the members with a vote must be present for the meeting to decide.",
                max_length=20,
                verbose_name="quorum",
            ),
        ),
        migrations.RunPython(fraction_to_rule, rule_to_fraction),
        migrations.RemoveField(
            model_name="body",
            name="quorum_fraction",
        ),
    ]
