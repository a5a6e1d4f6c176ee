"""Split and normalise a person's name into the ASCII tokens mailboxes are built from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from nameparser import HumanName
from nameparser.config import CONSTANTS
from nicknames import NickNamer

# German and Nordic mailboxes often spell umlauts out ("Müller" -> "mueller") while
# plain transliteration drops the mark ("muller"); both are emitted.
_SPELLED_OUT = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ø": "oe",
        "Ø": "Oe",
        "å": "aa",
        "Å": "Aa",
    }
)
_NOT_SLUG = re.compile(r"[^a-z0-9]")
_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True, slots=True)
class NameParts:
    """Mailbox-ready spellings, each list best first and never empty when the name is not."""

    firsts: tuple[str, ...]
    lasts: tuple[str, ...]
    middle_initials: str = ""
    nicknames: tuple[str, ...] = ()
    # The main form of each part in every transliteration (plain first: "muller",
    # "mueller"): equally likely spellings, each tried with a pattern before the next
    # pattern is tried at all. Defaults to the first form only.
    first_spellings: tuple[str, ...] = ()
    last_spellings: tuple[str, ...] = ()

    def spelling_pairs(self) -> list[tuple[str, str]]:
        """(first, last) in every spelling: consistent pairs first (jurgen.muller,
        juergen.mueller), mixed ones after (jurgen.mueller, juergen.muller)."""
        firsts = self.first_spellings or self.firsts[:1]
        lasts = self.last_spellings or self.lasts[:1] or ("",)
        pairs = list(zip(firsts, lasts, strict=False))
        pairs += [(f, last) for f in firsts for last in lasts if (f, last) not in pairs]
        return pairs

    @property
    def first(self) -> str:
        return self.firsts[0] if self.firsts else ""

    @property
    def last(self) -> str:
        return self.lasts[0] if self.lasts else ""


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def spellings(text: str) -> tuple[str, ...]:
    """ASCII spellings of one name word: the plain transliteration first, then the
    spelled-out umlaut form when it differs (`Müller` -> muller, mueller)."""
    plain = anyascii(text)
    spelled = anyascii(text.translate(_SPELLED_OUT))
    return _dedupe([_NOT_SLUG.sub("", plain.lower()), _NOT_SLUG.sub("", spelled.lower())])


def _strip_words(text: str, drop: set[str] | frozenset[str]) -> list[str]:
    words = [w for w in text.replace(",", " ").split() if w]
    return [w for w in words if w.lower().rstrip(".") not in drop]


def _is_particle(word: str) -> bool:
    return word.lower() in CONSTANTS.prefixes


def _part_variants(text: str, surname: bool, forms: tuple[int, ...] = (0, 1)) -> list[str]:
    """Variants of a (possibly multi-word, hyphenated, particled) name part, in each
    transliteration form (0 plain, 1 spelled-out umlauts), the main variant first."""
    raw_words = [w for w in _SEPARATORS.split(text.replace("'", "").replace("\u2019", "")) if w]
    if not raw_words:
        return []
    core = [w for w in raw_words if not _is_particle(w)] or raw_words
    out: list[str] = []
    for form in forms:  # plain transliteration, then spelled-out umlauts

        def conv(words: list[str], form: int = form) -> list[str]:
            return [spellings(w)[min(form, len(spellings(w)) - 1)] for w in words]

        if surname:
            full, bare = conv(raw_words), conv(core)
            out += ["".join(full), "".join(bare)]
            if "-" in text and len(bare) > 1:
                out.append("-".join(bare))
            out += [bare[0], bare[-1]]
        else:
            words = conv(core)
            out += [words[0], "".join(words)]
            if "-" in text and len(words) > 1:
                out.append("-".join(words))
    return out


# Longer input is not a name: it is cut here, so parsing stays cheap (a 500 KB name held
# the event loop for seconds) whoever calls, the API (which refuses such names) or not.
MAX_NAME_CHARS = 256


def name_parts(first_name: str, last_name: str = "") -> NameParts:
    """Normalise a name given as first + last (or as one full name in `first_name`).

    Titles and suffixes are dropped, accents transliterated both ways, particles kept in
    one variant and dropped in another, hyphenated parts joined, split and kept; English
    nicknames and canonical forms are offered separately (a lower prior)."""
    first_name, last_name = first_name[:MAX_NAME_CHARS], last_name[:MAX_NAME_CHARS]
    drop = CONSTANTS.titles | CONSTANTS.suffix_acronyms | CONSTANTS.suffix_not_acronyms
    middle = ""
    if not last_name.strip():
        parsed = HumanName(first_name)
        first_name, middle, last_name = parsed.first, parsed.middle, parsed.last
    first_words = _strip_words(first_name, drop)
    last_words = _strip_words(last_name, drop)
    # "John R." as a first name: the trailing initials are middle names.
    while len(first_words) > 1 and len(first_words[-1].rstrip(".")) == 1:
        middle = f"{first_words.pop()} {middle}".strip()
    first_text, last_text = " ".join(first_words), " ".join(last_words)
    firsts = _dedupe(_part_variants(first_text, surname=False))
    lasts = _dedupe(_part_variants(last_text, surname=True))
    first_spellings = _dedupe(
        [v[0] for f in (0, 1) if (v := _part_variants(first_text, False, (f,)))]
    )
    last_spellings = _dedupe([v[0] for f in (0, 1) if (v := _part_variants(last_text, True, (f,)))])
    initials = "".join(spellings(w)[0][:1] for w in middle.split() if spellings(w)[0])
    nicks: list[str] = []
    if firsts:
        namer = _nicknamer()
        primary = firsts[0]
        # Canonical forms and nicknames (bob <-> robert), those sharing the name's start first.
        related = namer.canonicals_of(primary) | namer.nicknames_of(primary)
        nicks = sorted(related, key=lambda n: (n[:2] != primary[:2], n))
    clean_nicks = tuple(
        n for n in _dedupe([_NOT_SLUG.sub("", n) for n in nicks]) if n not in firsts
    )
    return NameParts(
        firsts=firsts,
        lasts=lasts,
        middle_initials=initials,
        nicknames=clean_nicks,
        first_spellings=first_spellings,
        last_spellings=last_spellings,
    )
