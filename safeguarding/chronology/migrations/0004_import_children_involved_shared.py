from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("chronology", "0003_import_confirmation_household_reference")]

    operations = [
        migrations.RenameField("importbatch", "children_matched", "children_involved"),
        migrations.RenameField("importbatch", "children_created", "children_shared"),
    ]
