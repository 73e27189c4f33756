"""Search over published stories (DESIGN §4, ``/search/?q=``) on the database's own full-text
engine: SQLite's FTS5 by default, PostgreSQL's text search with a GIN index on the scale path.

- ``words``: how a text is cut into the folded words search compares, the same for the entries
  and the queries, so that both engines see exactly the same words.
- ``index``: the entries, one per published story, kept by the services (``index_story``,
  ``forget_story``, ``reindex_*``) and rebuilt by ``rebuild_index``.
- ``engines``: the two engines behind one interface, and ``rank``, the bounded ranking.
- ``query``: a reader's query, its ranked results page by page (``SearchResults``), kept in
  the cache, and the names listed above them.
- ``highlight``: the matched words marked in a story's text and title.

Which titles and people a query names is ``trivia.matching``'s question. Import a name from the
module that holds it: ``from trivia.search.index import index_story``.
"""
