from __future__ import annotations

from typing import Any

import pytest

from openenrich.providers import person as p


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020", "2020-01-01T00:00:00Z"),
        ("2020-03", "2020-03-01T00:00:00Z"),
        ("2020-03-15", "2020-03-15T00:00:00Z"),
        ("2020-3-5", "2020-03-05T00:00:00Z"),
        ("2020-03-15T10:11:12Z", "2020-03-15T10:11:12Z"),
        ("2020-03-15T10:11:12.123+02:00", "2020-03-15T08:11:12Z"),
        ("2020-03-15 10:11:12", "2020-03-15T10:11:12Z"),
        ({"year": 2019, "month": 7}, "2019-07-01T00:00:00Z"),
        ({"year": "2019"}, "2019-01-01T00:00:00Z"),
        ({"year": 2019, "month": None}, "2019-01-01T00:00:00Z"),
        (2018, "2018-01-01T00:00:00Z"),
        ("2020-13", None),
        ("present", None),
        ("", None),
        (None, None),
        ({"month": 3}, None),
        (True, None),
    ],
)
def test_iso_datetime(raw: Any, expected: str | None) -> None:
    assert p.iso_datetime(raw) == expected


@pytest.mark.parametrize(
    ("raw", "handle"),
    [
        ("https://www.linkedin.com/in/john-doe", "john-doe"),
        ("http://uk.linkedin.com/in/John-Doe/?trk=abc", "john-doe"),
        ("linkedin.com/in/john-doe/details/experience/", "john-doe"),
        ("www.linkedin.com/pub/jane-roe/1/2/3", "jane-roe"),
        ("https://www.linkedin.com/in/j%C3%A9r%C3%B4me-x", "jérôme-x"),
        ("john-doe", "john-doe"),
        ("@john-doe/", "john-doe"),
        ("https://www.linkedin.com/sales/lead/ACwAAB,NAME", None),
        ("https://www.linkedin.com/company/acme", None),
        ("https://example.com/in/john", None),
        ("", None),
        (None, None),
    ],
)
def test_linkedin_profile(raw: str | None, handle: str | None) -> None:
    assert p.linkedin_handle(raw) == handle
    expected_url = f"https://www.linkedin.com/in/{handle}" if handle else None
    assert p.linkedin_url(raw) == expected_url


def test_linkedin_company() -> None:
    url = "https://linkedin.com/company/Acme-Inc/about/"
    assert p.linkedin_url(url, kind="company") == "https://www.linkedin.com/company/acme-inc"
    assert p.linkedin_handle(url) is None


def test_compact_drops_empties_keeps_falsy_values() -> None:
    raw = {"a": None, "b": "", "c": [], "d": {"e": None}, "f": 0, "g": False, "h": [None, "x "]}
    assert p.compact(raw) == {"f": 0, "g": False, "h": ["x"]}


def test_person_full_shape() -> None:
    acme = p.company(name="Acme", website="https://www.Acme.com/about", linkedin="acme")
    past = p.employment(title="Intern", company=acme, start="2015-06", end="2016")
    now = p.employment(title="CTO", company=acme, start={"year": 2020, "month": 3}, end=None)
    built = p.person(
        first_name="Ada",
        last_name="Lovelace",
        linkedin="https://fr.linkedin.com/in/ada/",
        connection_count=500,
        city="London",
        country="United Kingdom",
        country_code="gb",
        employments=[now, past],
        educations=[p.education(school_name="UCL", start="1830", end=None)],
        languages=[p.language("English", "native or bilingual"), p.language(None)],
        skills=["Math", ""],
    )
    assert built == {
        "full_name": "Ada Lovelace",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "location": {"country": "United Kingdom", "country_code": "GB", "city": "London"},
        "social_profiles": {
            "professional_network": {
                "url": "https://www.linkedin.com/in/ada",
                "handle": "ada",
                "connection_count": 500,
            }
        },
        "educations": [{"school_name": "UCL", "start_at": "1830-01-01T00:00:00Z"}],
        "languages": [{"language": "English", "proficiency": "NATIVE_OR_BILINGUAL"}],
        "skills": ["Math"],
        "employment": {"current": now, "all": [now, past]},
    }
    assert now == {
        "title": "CTO",
        "company": {
            "name": "Acme",
            "domain": "acme.com",
            "website": "https://www.Acme.com/about",
            "social_profiles": {
                "professional_network": {
                    "url": "https://www.linkedin.com/company/acme",
                    "handle": "acme",
                }
            },
        },
        "is_current": True,
        "start_at": "2020-03-01T00:00:00Z",
    }
    assert past["is_current"] is False and past["end_at"] == "2016-01-01T00:00:00Z"


def test_current_employment_never_has_end_and_empty_person_is_empty() -> None:
    job = p.employment(title="CEO", end="2021", is_current=True)
    assert "end_at" not in job
    assert p.person() == {}
    assert (
        "current" not in p.person(employments=[p.employment(title="x", end="2020")])["employment"]
    )
