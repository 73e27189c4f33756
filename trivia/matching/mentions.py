"""Which known names does a text mention? The one mechanism behind titles and people in texts.

A ``NameIndex`` holds names as tuples of normal words (``names.text_words``), each naming one
or more things (``TitleRef``, ``PersonRef``). ``find`` reads a text's words left to right and
takes, at each word, the longest name that starts there, so that "The Dark Knight Rises" is not
read as "The Dark Knight" and "Sean Bean" not as "Bean". What counts as a mention beyond that
(a capital, a surname alone) is the caller's rule: ``TitleIndex.mentions`` and
``PersonIndex.mentions``.

``closest`` answers the other question a text raises: which known name is a name nobody knows
("Kino Rives") a garbling of? ``name_runs`` gives the names a text may hold: its capitalised
words in a row.
"""

from dataclasses import dataclass

from .names import close_spelling


@dataclass(frozen=True)
class Mention:
    """A known name in a text: what it names, the name as the index holds it, and the text's
    own words for it (``at`` is the first one's position among the text's words)."""

    refs: tuple
    key: tuple[str, ...]
    at: int
    words: tuple

    def typed(self, text):
        """The mention as the text writes it: "Kino Rives"."""
        return text[self.words[0].start : self.words[-1].end]


class NameIndex:
    """Names (tuples of normal words) → the things they name; built once, asked many times."""

    def __init__(self):
        self._refs: dict[tuple[str, ...], set] = {}
        # (first letters of each word) → names: the only ones a garbling is compared with.
        self._by_initials: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        self._longest = 1

    def add(self, ref, key):
        key = tuple(key)
        if not key:
            return
        if key not in self._refs:
            self._refs[key] = set()
            self._by_initials.setdefault(tuple(word[0] for word in key), []).append(key)
        self._refs[key].add(ref)
        self._longest = max(self._longest, len(key))

    def named(self, key):
        """What exactly this name (a tuple of normal words) names: a set, maybe empty."""
        return self._refs.get(tuple(key), set())

    def refs(self):
        return {ref for refs in self._refs.values() for ref in refs}

    def find(self, words):
        """The known names among ``words`` (``names.text_words``), longest first, in order."""
        found, i = [], 0
        while i < len(words):
            for length in range(min(self._longest, len(words) - i), 0, -1):
                key = tuple(word.normal for word in words[i : i + length])
                refs = self._refs.get(key)
                if refs:
                    ordered = tuple(sorted(refs, key=lambda ref: ref.pk))
                    found.append(Mention(ordered, key, i, tuple(words[i : i + length])))
                    i += length
                    break
            else:
                i += 1
        return found

    def closest(self, key):
        """What ``key`` is most likely a garbling of, as ``(ref, score)``, or None: the thing
        whose name (or alias) has the same first letters and words that look or sound alike
        (``names.close_spelling``, the score). A tie between different things is no answer."""
        key = tuple(key)
        if not key or key in self._refs:
            return None
        scored = []
        for known in self._by_initials.get(tuple(word[0] for word in key), ()):
            score = close_spelling(key, known)
            if score is not None:
                scored.append((score, known))
        if not scored:
            return None
        best = max(score for score, _ in scored)
        refs = {ref for score, known in scored if score == best for ref in self._refs[known]}
        if len(refs) != 1:
            return None
        return next(iter(refs)), best


def name_runs(words, text):
    """Where ``words`` (``names.text_words(text)``) hold capitalised words in a row, nothing
    but spaces between them, as ranges of their positions: where a text may name someone or
    something, known or not."""
    runs, start = [], None
    for i, word in enumerate(words):
        joined = i and text[words[i - 1].end : word.start].strip(" ") == ""
        if start is not None and not (word.capitalised and joined):
            runs.append(range(start, i))
            start = None
        if start is None and word.capitalised:
            start = i
    if start is not None:
        runs.append(range(start, len(words)))
    return runs
