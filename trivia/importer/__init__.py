"""Importing a listicle article (plain text, an HTML page or a page's address) as pending
stories.

A moderator finds articles such as the seeds: "18 small stories behind the scenes", one story
per film under a heading, wrapped in page furniture. The ``import_article`` command and the
admin's "Import an article" page read one, split it into stories the way a careful reader
would, find out what each story names and repeats, and queue them for moderation, in this order:

- ``reading``: the source loaded (``load_article``: a file, pasted text or HTML, an address) and
  its bytes checked and decoded; ``ArticleError``; the article's exact fingerprint.
- ``fetching``: an http(s) address fetched safely (no private hosts, bounded size and time).
- ``html``: a page read by its structure into the text shape the splitter reads.
- ``furniture``: the rules for what a web page holds besides the article (``is_furniture``).
- ``units``: the lines as paragraphs and short lines, with their numbers and marks (rule 1).
- ``splitting``: the title, intro, headings and stories, every paragraph accounted for
  (``split_article``), and a moderator's regrouping of them (``regroup``).
- ``naming``: each story's title (matched or proposed), people and name corrections.
- ``repeats``: the published stories each may repeat, and the earlier import of a near-identical
  article (``find_imported``).
- ``writing``: the stories written to the queue, all or nothing (``import_article``).

Which titles and people a text names is ``trivia.matching``'s question. Import a name from the
module that holds it.
"""
