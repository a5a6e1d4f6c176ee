"""Search terms: how a record's values and a filter's values become comparable words.

Every record carries one search document: a space-separated list of *terms*, each scoped
to a search field by a two-letter code, so one full-text index (FTS5 on SQLite, a GIN
index on PostgreSQL) answers every text filter with a boolean expression:

- a word term (`<code>w<word>`) for every word of every value of the field: words are
  the value transliterated to ASCII, lowercased, split on anything but letters and digits;
- an exact term (`<code>x<hash>`) for each value as stored, case-folded: `exact_match`;
- a key term (`<code>k<hash>`) for each value's set of words: a value whose words are a
  subset of the query's (missing words) is found by the keys of the query's subsets.

The codes have two letters and the kinds one, so no term of one field can read as a
term of another.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from itertools import combinations

from anyascii import anyascii

_WORD = re.compile(r"[a-z0-9]+")
# Past this many words a query tolerates extra words in the record, not missing ones:
# the subsets to look up would grow too fast.
MAX_SUBSET_WORDS = 6


def words(value: str) -> list[str]:
    """The distinct words of `value`, accents and case ignored, in first-seen order."""
    return list(dict.fromkeys(_WORD.findall(anyascii(value).lower())))


def fold(value: str) -> str:
    """A value as `exact_match` compares it: as stored, case ignored."""
    return " ".join(value.split()).casefold()


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def word_term(code: str, word: str) -> str:
    return f"{code}w{word}"


def exact_term(code: str, value: str) -> str:
    return f"{code}x{_digest(fold(value))}"


def key_term(code: str, value_words: Iterable[str]) -> str:
    return f"{code}k{_digest(' '.join(sorted(set(value_words))))}"


def value_terms(code: str, value: str) -> Iterator[str]:
    """Every term one value of a field contributes to its record's document."""
    found = words(value)
    yield exact_term(code, value)
    if found:
        yield key_term(code, found)
        for word in found:
            yield word_term(code, word)


def tolerated_subsets(query_words: list[str]) -> list[tuple[str, ...]]:
    """The strict subsets of a query's words a record's value may have instead of all of
    them: at least half of them, and only for short queries."""
    count = len(query_words)
    if count < 2 or count > MAX_SUBSET_WORDS:
        return []
    least = (count + 1) // 2
    return [
        subset for size in range(least, count) for subset in combinations(sorted(query_words), size)
    ]


def tolerant_match(query: str, value_words: list[list[str]]) -> bool:
    """The rule the index implements, for one field of one record: the field's words hold
    every word of the query (extra words, another order), or one of its values has only
    words of the query and at least half of them (missing words). Used by tests as the
    reference."""
    wanted = words(query)
    if not wanted:
        return False
    union = {word for value in value_words for word in value}
    if set(wanted) <= union:
        return True
    if not 2 <= len(wanted) <= MAX_SUBSET_WORDS:
        return False
    least = (len(wanted) + 1) // 2
    return any(
        value and set(value) <= set(wanted) and len(set(value)) >= least for value in value_words
    )
