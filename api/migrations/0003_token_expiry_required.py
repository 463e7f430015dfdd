from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0002_token_scopes_and_expiry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
