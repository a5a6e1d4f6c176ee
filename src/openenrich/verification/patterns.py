"""Corporate mailbox patterns: candidates in a prior order, and learning a domain's pattern."""

from __future__ import annotations

from dataclasses import dataclass

from openenrich.verification.names import NameParts

# Prior order, most common first (public estimates disagree; first.last leads all of them).
# Tokens: {first} {last} {f} {l} (initials) {m} (middle initials).
PATTERNS: dict[str, str] = {
    "first.last": "{first}.{last}",
    "first": "{first}",
    "flast": "{f}{last}",
    "firstlast": "{first}{last}",
    "f.last": "{f}.{last}",
    "first_last": "{first}_{last}",
    "firstl": "{first}{l}",
    "first.l": "{first}.{l}",
    "last.first": "{last}.{first}",
    "lastf": "{last}{f}",
    "last": "{last}",
    "first-last": "{first}-{last}",
    "last_first": "{last}_{first}",
    "lastfirst": "{last}{first}",
    "fl": "{f}{l}",
    "f.m.last": "{f}.{m}.{last}",
    "fmlast": "{f}{m}{last}",
}

# Alternative spellings (second transliteration, other surname forms, nicknames) are only
# tried with the most common patterns, to keep the RCPT budget small.
TOP_PATTERNS = ("first.last", "first", "flast", "firstlast", "f.last")


@dataclass(frozen=True, slots=True)
class Candidate:
    local: str
    pattern: str


def render(pattern: str, first: str, last: str, middle: str = "") -> str | None:
    template = PATTERNS[pattern]
    if ("{m}" in template and not middle) or not first or (("last" in pattern) and not last):
        return None
    if "{l}" in template and not last:
        return None
    return template.format(first=first, last=last, f=first[:1], l=last[:1], m=middle)


def candidates(parts: NameParts, learned: str | None = None, limit: int = 16) -> list[Candidate]:
    """Local parts in the order to try them, at most `limit` (the per-domain budget,
    `OPENENRICH_FINDER_MAX_CANDIDATES`):

    1. the learned pattern, then the top patterns (`TOP_PATTERNS`), each in every
       spelling of the name (ü as u and ue, ø as o and oe, å as a and aa...; full names
       and initials alike) before the next pattern is tried in any spelling;
    2. the other forms of the name (surname without particles, hyphenated parts...) with
       the three likeliest patterns;
    3. every remaining pattern, again in every spelling;
    4. every other combination of forms, then English nicknames, with the top patterns.
    """
    order = list(PATTERNS)
    if learned in PATTERNS:
        order.remove(learned)
        order.insert(0, learned)
    out: dict[str, Candidate] = {}

    def add(pattern: str, first: str, last: str) -> None:
        local = render(pattern, first, last, parts.middle_initials)
        if local and local not in out:
            out[local] = Candidate(local, pattern)

    if not parts.firsts:
        return []
    spelled = parts.spelling_pairs()
    top = [p for p in order if p in TOP_PATTERNS or p == learned]
    for pattern in top:  # 1.
        for first, last in spelled:
            add(pattern, first, last)
    forms = list(zip(parts.firsts, parts.lasts, strict=False))
    forms += [(f, lst) for f in parts.firsts for lst in parts.lasts or ("",)]
    for first, last in forms[:6]:  # 2.
        for pattern in top[:3]:
            add(pattern, first, last)
    for pattern in order:  # 3.
        for first, last in spelled:
            add(pattern, first, last)
    for first, last in forms:  # 4.
        for pattern in top:
            add(pattern, first, last)
    for nick in parts.nicknames[:4]:
        for pattern in top[:3]:
            add(pattern, nick, parts.last)
    return list(out.values())[:limit]


def learn_pattern(local: str, parts: NameParts) -> str | None:
    """The pattern that reproduces a confirmed local part for this name, if any."""
    wanted = local.lower().split("+", 1)[0]
    for pattern in PATTERNS:
        for first in (*parts.firsts, *parts.nicknames):
            for last in parts.lasts or ("",):
                if render(pattern, first, last, parts.middle_initials) == wanted:
                    return pattern
    return None
