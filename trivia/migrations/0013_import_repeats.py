"""What an import finds repeated (trivia/importer/repeats.py): the published stories an imported
story may repeat, kept on the story for the queue, and a sketch of an article's wording that
recognises a copy with small differences.

Articles imported before this migration have no sketch (their text is not kept): they are
still recognised by their exact fingerprint.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trivia', '0012_events_outlive_stories'),
    ]

    operations = [
        migrations.AddField(
            model_name='anecdote',
            name='possible_duplicate_of',
            field=models.ManyToManyField(blank=True, editable=False, help_text='Stories this one may repeat, as its import found them (trivia.importer.repeats): a bulk approval leaves it in the queue, to be compared and approved from its own page.', related_name='possible_repeats', to='trivia.anecdote'),
        ),
        migrations.AddField(
            model_name='source',
            name='import_sketch',
            field=models.JSONField(blank=True, editable=False, help_text='For an imported article: a sample of its wording (a MinHash sketch) that a few changed words barely change, so a copy with small differences is recognised too.', null=True),
        ),
    ]
