from django.db import migrations


def create_schedule(apps, schema_editor):
    from accounts.tasks import ensure_refresh_schedule

    ensure_refresh_schedule(apps.get_model("django_q", "Schedule"))


def drop_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="instagram-token-refresh").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, drop_schedule)]
