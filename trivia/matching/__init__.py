"""Which title or person is this name? Every answer Backlot gives to that question is here.

- ``names``: how names are compared: their normal form ("Amélie" and "amelie", "Parks & Recreation"
  and "The Parks and Recreation!"), their words, and what "at the start of a word" means.
- ``titles``: the title an article's heading names (``TitleIndex``), the titles a proposed name
  already names (``titles_named``), the titles whose names begin with what was typed
  (``titles_matching``).
- ``people``: the people a story's text names (``PersonIndex``, ``find_people``), and the people
  whose names begin with what was typed (``people_matching``).

Import a name from the module that holds it (``from trivia.matching.titles import TitleIndex``):
the models compute their normal names with ``names``, so this package imports no model itself.
"""
