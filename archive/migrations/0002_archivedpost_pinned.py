from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_archive_models")]

    operations = [
        migrations.AddField(model_name="archivedpost", name="pinned", field=models.BooleanField(default=False)),
    ]
