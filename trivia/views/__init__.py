"""The site's pages, one module per thing a visitor does (DESIGN §4):

- the reader's pages: ``home`` (and robots.txt), ``titles``, ``tags``, ``people``, ``stories``
  (a story's permalink, "surprise me"), ``archive`` (every story, the myths, the disputed),
  with what their lists share in ``lists``; ``posters``: a title's generated card;
- ``search``: /search/;
- ``votes``: the "interesting" button;
- ``feedback``: reporting a problem with a story and proposing a correction to it;
- ``submit``: /submit/, the contributor's form, step by step (``kept_images`` keeps its image);
- ``submissions``: "My submissions": a contributor's own stories, edited, withdrawn, resubmitted;
- ``media``: story images and posters, as private as their stories.

``structured_data`` builds every public page's JSON-LD and breadcrumbs, ``social`` what a link
to a page shows elsewhere (Open Graph). /healthz is ``trivia.health``.
"""
