from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("trivia", "0010_wider_state_columns")]

    operations = [
        migrations.CreateModel(
            name="PublicVersion",
            fields=[
                ("scope", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("changed_at", models.BigIntegerField()),
            ],
        ),
    ]
