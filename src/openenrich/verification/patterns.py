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


def candidates(parts: NameParts, learned: str | None = None, limit: int = 12) -> list[Candidate]:
    """Local parts in the order to try them: the learned pattern first, then every pattern
    with the primary spellings, then the top patterns with alternative spellings."""
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
    first, last = parts.first, parts.last
    top = [p for p in order if p in TOP_PATTERNS or p == learned]
    # 1. The likeliest patterns with the primary spellings.
    for pattern in top:
        add(pattern, first, last)
    # 2. The same patterns with the other spellings, each first name with its matching
    #    surname form first (jurgen.muller, juergen.mueller) and mixed forms after.
    pairs = list(zip(parts.firsts, parts.lasts, strict=False))
    pairs += [(f, lst) for f in parts.firsts for lst in parts.lasts or ("",)]
    for alt_first, alt_last in pairs[:6]:
        for pattern in top[:3]:
            add(pattern, alt_first, alt_last)
    # 3. Every other pattern with the primary spellings.
    for pattern in order:
        add(pattern, first, last)
    # 4. Remaining spelling combinations, then nicknames, with the top patterns.
    for alt_first, alt_last in pairs:
        for pattern in top:
            add(pattern, alt_first, alt_last)
    for nick in parts.nicknames[:4]:
        for pattern in top[:3]:
            add(pattern, nick, last)
    ranked = list(out.values())
    return ranked[:limit]


def learn_pattern(local: str, parts: NameParts) -> str | None:
    """The pattern that reproduces a confirmed local part for this name, if any."""
    wanted = local.lower().split("+", 1)[0]
    for pattern in PATTERNS:
        for first in (*parts.firsts, *parts.nicknames):
            for last in parts.lasts or ("",):
                if render(pattern, first, last, parts.middle_initials) == wanted:
                    return pattern
    return None
