"""People are filed by family name on /people/: ``Person.sort_name`` ("ledger heath"), kept by
``Person.save()`` and filled here for the people already stored."""

from django.db import migrations, models

from trivia.models.catalogue import family_sort_name


def fill_sort_names(apps, schema_editor):
    Person = apps.get_model("trivia", "Person")
    people = list(Person.objects.only("pk", "name"))
    for person in people:
        person.sort_name = family_sort_name(person.name)
    Person.objects.bulk_update(people, ["sort_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("trivia", "0015_review_claims"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="sort_name",
            field=models.CharField(
                db_index=True,
                default="",
                editable=False,
                help_text="Family name first, in normal form, from the name "
                "(``family_sort_name``): the order and the letters of /people/.",
                max_length=200,
            ),
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop),
    ]
