"""Stages that say what is true (issue 13): "awaiting cooling" and "rewarming" split from "cooling", and
the stored stage of existing cases re-derived for them (Case.derive_stage)."""

from typing import Any

from django.db import migrations, models


def rederive(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("pathway", "Case")
    live = Case.objects.filter(stage__in=["cooling", "rewarmed"])
    live.filter(rewarming_start__isnull=False, rewarming_end__isnull=True).update(stage="rewarming")
    live.filter(stage="cooling", passive_cooling_start__isnull=True, active_cooling_start__isnull=True).update(
        stage="awaiting_cooling"
    )


def back(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("pathway", "Case")
    Case.objects.filter(stage__in=["rewarming", "awaiting_cooling"]).update(stage="cooling")


class Migration(migrations.Migration):
    dependencies = [
        ("pathway", "0003_v2_journey"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="stage",
            field=models.CharField(
                choices=[
                    ("referred", "Referred – not cooled"),
                    ("awaiting_cooling", "Referred – cooling not yet started"),
                    ("cooling", "Cooling"),
                    ("rewarming", "Rewarming"),
                    ("rewarmed", "Cooling finished – in hospital"),
                    ("discharged", "Discharged – follow-up pending"),
                    ("died", "Died"),
                    ("complete", "Pathway complete"),
                    ("entered_in_error", "Entered in error"),
                ],
                db_index=True,
                default="referred",
                max_length=20,
            ),
        ),
        migrations.RunPython(rederive, back),
    ]
