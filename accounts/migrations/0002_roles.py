from django.db import migrations

# The four role groups of the first design (a role per user). 0004/0005 move roles onto memberships and remove
# these groups; the names are frozen here so this migration never depends on today's code.
LEGACY_ROLE_GROUPS = ["Administrator", "Editor", "Social manager", "Client"]


def create_roles(apps, schema_editor):  # noqa: ANN001
    Group = apps.get_model("auth", "Group")
    for name in LEGACY_ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
