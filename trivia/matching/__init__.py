"""Which title or person is this name? Every answer Backlot gives to that question is here.

- ``names``: how names are compared: their normal form ("Amélie" and "amelie", "Parks & Recreation"
  and "The Parks and Recreation!"), a running text's words (``text_words``), what "at the start
  of a word" means, and how close a garbled name is to a known one (``close_spelling``).
- ``mentions``: the one mechanism that finds known names in a text (``NameIndex.find``, longest
  name first) and the known name a garbled one is likely to be (``NameIndex.closest``); titles and
  people are both found with it.
- ``titles``: the title an article's heading names (``TitleIndex.match``), the titles a text
  names (``TitleIndex.mentions``, which common words like "It" or "Up" do not), the title a garbled
  name is (``TitleIndex.closest``), the titles a proposed name already names (``titles_named``),
  the titles whose names begin with what was typed (``titles_matching``).
- ``people``: the people a story's text names (``PersonIndex.find``, ``find_people``), the person
  a garbled name is (``PersonIndex.closest``), and the people whose names begin with what was
  typed (``people_matching``).

Import a name from the module that holds it (``from trivia.matching.titles import TitleIndex``):
the models compute their normal names with ``names``, so this package imports no model itself.
"""
