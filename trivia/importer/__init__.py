"""Importing a listicle article (plain text, copied from a web page) as pending stories.

A moderator receives articles such as the seeds: "18 small stories behind the scenes", one
paragraph per film under a heading, wrapped in page furniture. The ``import_article`` command
and the admin's "Import an article" page read one, split it into stories the way a careful
reader would and queue them for moderation, in this order:

- ``reading``: the file's bytes checked and decoded (``read_article``, ``decode_article``,
  ``ArticleError``), whitespace spelled one way, the article's fingerprint.
- ``furniture``: the rules for what a web page holds besides the article (``is_furniture``).
- ``units``: the lines as paragraphs and short lines, with their numbers and marks (rule 1).
- ``splitting``: the title, intro, headings and stories (``split_article``, rules 3 to 6).
- ``writing``: the stories written to the queue, all or nothing (``import_article``).

Which title a heading names is ``trivia.matching.titles``'s question, and which people a story
names ``trivia.matching.people``'s. Import a name from the module that holds it.
"""
