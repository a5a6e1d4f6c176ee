from openenrich.verification.names import name_parts, spellings
from openenrich.verification.patterns import PATTERNS, candidates, learn_pattern, render


def test_umlauts_in_both_transliterations() -> None:
    assert spellings("Müller") == ("muller", "mueller")
    assert spellings("Straße") == ("strasse",)
    parts = name_parts("Jürgen", "Müller")
    assert parts.firsts == ("jurgen", "juergen")
    assert parts.lasts == ("muller", "mueller")
    locals_ = [c.local for c in candidates(parts, limit=12)]
    assert locals_[0] == "jurgen.muller"
    # The spelled-out form comes within the budget, paired consistently first.
    assert "juergen.mueller" in locals_
    assert locals_.index("juergen.mueller") < locals_.index("jurgen.mueller")


def test_titles_suffixes_particles_hyphens() -> None:
    parts = name_parts("Dr. Juan", "de la Cruz-García Jr.")
    assert parts.first == "juan"
    assert parts.lasts[:3] == ("delacruzgarcia", "cruzgarcia", "cruz-garcia")
    assert {"cruz", "garcia"} <= set(parts.lasts)


def test_apostrophes_and_full_name_with_initial() -> None:
    assert name_parts("Conor", "O'Brien").last == "obrien"
    parts = name_parts("John R. Smith")
    assert (parts.first, parts.last, parts.middle_initials) == ("john", "smith", "r")
    assert "j.r.smith" in [c.local for c in candidates(parts, limit=40)]
    trailing = name_parts("John R.", "Smith")
    assert (trailing.first, trailing.middle_initials) == ("john", "r")


def test_hyphenated_first_name_and_nicknames() -> None:
    parts = name_parts("Jean-Pierre", "Dupont")
    assert parts.firsts[:2] == ("jean", "jeanpierre")
    assert "jean-pierre" in parts.firsts
    bob = name_parts("Bob", "Smith")
    assert "robert" in bob.nicknames
    assert "robert.smith" in [c.local for c in candidates(bob, limit=30)]


def test_prior_order_and_learned_pattern_first() -> None:
    parts = name_parts("Jane", "Doe")
    default = [c.pattern for c in candidates(parts, limit=5)]
    assert default == ["first.last", "first", "flast", "firstlast", "f.last"]
    learned = candidates(parts, learned="last_first", limit=3)
    assert learned[0].local == "doe_jane"
    assert len({c.local for c in candidates(parts, limit=50)}) == len(candidates(parts, limit=50))


def test_learn_pattern_inverts_render() -> None:
    parts = name_parts("Jane", "Doe")
    for pattern in PATTERNS:
        local = render(pattern, "jane", "doe", "")
        if local is not None:
            learned = learn_pattern(local, parts)
            assert learned is not None
            assert render(learned, "jane", "doe", "") == local
    assert learn_pattern("JDoe+news", parts) == "flast"
    assert learn_pattern("bob.smith", name_parts("Robert", "Smith")) == "first.last"
    assert learn_pattern("qwerty", parts) is None


def test_empty_name_has_no_candidates() -> None:
    assert candidates(name_parts("", ""), limit=5) == []
