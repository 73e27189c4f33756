"""The site's pages, one module per thing a visitor does (DESIGN §4):

- ``browse``: the reader's pages: home, titles, tags, people, a story's permalink, "surprise me";
- ``search``: /search/;
- ``votes``: the "interesting" button;
- ``feedback``: reporting a problem with a story and proposing a correction to it;
- ``submit``: /submit/, the contributor's form, step by step (``kept_images`` keeps its image);
- ``submissions``: "My submissions": a contributor's own stories, edited, withdrawn, resubmitted;
- ``media``: story images and posters, as private as their stories.

``social`` builds what a link to a public page shows elsewhere (Open Graph, JSON-LD). /healthz
is ``trivia.health``.
"""
