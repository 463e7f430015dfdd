"""KpiRun.producer: which producer a run belongs to, filled for existing runs from their definition versions.

Before this field a run was recognised by a key of its `definition_versions`: POP runs hold
`pop_optimisation_score`, training runs `training_coverage_12m`, and every other run is the HIE engine's.
POP and training runs were also recorded with scope "periods", whatever they covered, so that they never
became the HIE dashboards' "last full run". Now freshness is per producer, so a run says what it covered:
training runs always computed every period (scope "full"), and so did the nightly POP runs. A manual POP run
may have covered listed periods only and cannot be told apart, so it stays "periods".
"""

from django.conf import settings
from django.db import migrations, models

POP_KEY = "pop_optimisation_score"
TRAINING_KEY = "training_coverage_12m"


def fill_producer(apps, schema_editor):
    KpiRun = apps.get_model("kpis", "KpiRun")
    KpiRun.objects.filter(definition_versions__has_key=POP_KEY).update(producer="pop")
    KpiRun.objects.filter(definition_versions__has_key=POP_KEY, trigger="nightly").update(scope="full")
    KpiRun.objects.filter(definition_versions__has_key=TRAINING_KEY).update(producer="training", scope="full")


class Migration(migrations.Migration):

    dependencies = [
        ('kpis', '0002_pending_recompute'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='kpirun',
            name='producer',
            field=models.CharField(default='hie', help_text='Whose figures: hie (cases), pop (POP records), training (coverage)', max_length=8),
        ),
        migrations.AddIndex(
            model_name='kpirun',
            index=models.Index(fields=['producer', '-started_at'], name='kpis_run_producer_started'),
        ),
        migrations.AlterField(
            model_name='kpirun',
            name='trigger',
            field=models.CharField(choices=[('nightly', 'Nightly'), ('manual', 'Manual'), ('case_saved', 'Record saved')], default='manual', max_length=12),
        ),
        migrations.RunPython(fill_producer, migrations.RunPython.noop),
    ]
