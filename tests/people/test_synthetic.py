"""The synthetic population sandbox keys search: deterministic, spec-shaped, realistic, found
back from a handle or a name and domain, and what the sandbox provider enriches."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from anyascii import anyascii
from tests.harness import make_settings, running_api
from tests.spec import assert_schema

from openenrich.domain import ContactQuery, EmailFinding, Field, ProfileFinding
from openenrich.people import synthetic as s
from openenrich.providers.sandbox import SandboxProvider

C = s.DEFAULT_COMPANIES
P = s.DEFAULT_PEOPLE
SAMPLE = [0, 1, 2, 35, 777, 4_096, 12_345, 29_870, 29_871, P - 1]
RANGES = {
    "1-10": (1, 10),
    "11-50": (11, 50),
    "51-200": (51, 200),
    "201-500": (201, 500),
    "501-1000": (501, 1000),
    "1001-5000": (1001, 5000),
    "5001-10000": (5001, 10000),
    "10001+": (10001, 10**9),
}
SENIORITIES = {
    "Owner", "Founder", "C-Level", "Partner", "VP", "Head", "Director", "Manager", "Senior",
    "Entry", "Intern",
}  # fmt: skip
COMPANY_TYPES = {
    "Public Company", "Privately Held", "Nonprofit", "Self-Employed", "Partnership",
    "Government Agency", "Educational",
}  # fmt: skip


def dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False)


def when(stamp: str) -> date:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").date()


def first_people(n: int) -> list[dict[str, Any]]:
    return list(s.people(n, C))


# ---------------------------------------------------------------------------------------
# Determinism


def test_the_same_index_gives_the_same_bytes() -> None:
    for i in SAMPLE:
        assert dumps(s.person(i, C)) == dumps(s.person(i, C))
    for i in (0, 17, C - 1):
        assert dumps(s.company(i)) == dumps(s.company(i))
    assert [dumps(p) for p in s.people(50, C)] == [dumps(s.person(i, C)) for i in range(50)]
    assert [dumps(c) for c in s.companies(50)] == [dumps(s.company(i)) for i in range(50)]


def test_another_process_gives_the_same_bytes() -> None:
    script = (
        "import hashlib, json, sys\n"
        "from openenrich.people import synthetic as s\n"
        f"people = [s.person(i, {C}) for i in {SAMPLE!r}] + [s.person(5, 40)]\n"
        "records = people + [s.company(i) for i in (0, 17, 2999)]\n"
        "text = json.dumps(records, ensure_ascii=False)\n"
        "sys.stdout.write(hashlib.sha256(text.encode()).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    ).stdout
    records = [s.person(i, C) for i in SAMPLE] + [s.person(5, 40)]
    records += [s.company(i) for i in (0, 17, 2999)]
    assert out == hashlib.sha256(dumps(records).encode()).hexdigest()


def test_records_are_fresh_objects() -> None:
    """Callers may change what they get without changing what others get."""
    first = s.person(3, C)
    first["employment"]["current"]["company"]["locations"]["headquarters"]["city"] = "X"
    first["employment"]["all"][0]["company"]["specialties"].append("X")
    first["employment"]["all"][0]["job_functions"][0]["function"] = "X"
    company = s.company(s.company_of(3, C))
    company["industry"]["main_industry"] = "X"
    assert dumps(s.person(3, C)) != dumps(first)
    again = s.person(3, C)
    assert again["employment"]["current"] is again["employment"]["all"][0]
    assert "X" not in dumps(again) and "X" not in dumps(s.company(s.company_of(3, C)))


def test_the_population_streams() -> None:
    """A population of any size is generated lazily, one record at a time."""
    taken = list(itertools.islice(s.people(10**12, C), 3))
    assert [p["id"] for p in taken] == [s.person(i, C)["id"] for i in range(3)]
    assert len(list(itertools.islice(s.companies(10**12), 3))) == 3


# ---------------------------------------------------------------------------------------
# Shapes


def check_company(company: dict[str, Any]) -> None:
    low, high = RANGES[company["headcount_range"]]
    assert low <= company["headcount"] <= high
    assert company["company_type"] in COMPANY_TYPES
    assert company["domain"].endswith(".example")
    assert company["website"] == f"https://www.{company['domain']}"
    network = company["social_profiles"]["professional_network"]
    assert network["url"] == f"https://www.linkedin.com/company/{network['handle']}"
    assert company["domain"] == f"{network['handle']}.example"
    assert company["logo_url"].startswith("https://") and ".example/" in company["logo_url"]
    assert 1800 < company["year_founded"] <= s.REFERENCE_DATE.year
    assert company["specialties"] and company["industry"]["main_industry"] in s.INDUSTRIES


def check_person(person: dict[str, Any], index: int) -> None:
    assert person["full_name"] == f"{person['first_name']} {person['last_name']}"
    network = person["social_profiles"]["professional_network"]
    assert network["url"] == f"https://www.linkedin.com/in/{network['handle']}"
    assert network["id"] == s.person_network_id(index)
    assert network["handle"].isascii() and network["handle"] == network["handle"].lower()
    jobs = person["employment"]["all"]
    current = person["employment"]["current"]
    assert jobs[0] == current and current["is_current"] and "end_at" not in current
    assert all(not job["is_current"] and "end_at" in job for job in jobs[1:])
    assert len(jobs) <= 4
    assert len({job["company"]["domain"] for job in jobs}) == len(jobs)
    # Newest first, never overlapping, never after the reference day.
    assert when(current["start_at"]) <= s.REFERENCE_DATE
    for newer, older in itertools.pairwise(jobs):
        assert when(older["start_at"]) < when(older["end_at"]) <= when(newer["start_at"])
    for job in jobs:
        assert job["seniority"] in SENIORITIES
        for pair in job["job_functions"]:
            assert pair["sub_function"] in s.JOB_FUNCTIONS[pair["function"]]
        check_company(job["company"])
    if current["seniority"] != "Intern":
        first_job = min(when(job["start_at"]) for job in jobs)
        assert all(when(e["end_at"]) <= first_job for e in person["educations"])


def test_the_values_fields_take() -> None:
    assert set(s.SENIORITIES) == SENIORITIES
    assert set(s.COMPANY_TYPES) == COMPANY_TYPES
    assert list(s.HEADCOUNT_RANGES) == list(RANGES)
    assert len(s.JOB_FUNCTIONS) == 15
    assert all(2 <= len(subs) <= 4 for subs in s.JOB_FUNCTIONS.values())
    assert 15 <= len(s.INDUSTRIES) <= 25
    assert {"Software Development", "Financial Services", "Hospitals and Health Care"} <= set(
        s.INDUSTRIES
    )


def test_every_record_matches_the_spec() -> None:
    for i, person in enumerate(first_people(300)):
        assert_schema(person, "Person")
        check_person(person, i)
    for i in SAMPLE:
        check_person(s.person(i, C), i)
    for company in itertools.islice(s.companies(C), 300):
        assert_schema(company, "Company")
        check_company(company)


def test_titles_follow_seniority_and_function() -> None:
    words = {
        "Owner": ("Owner",),
        "Founder": ("Founder",),
        "Partner": ("Partner",),
        "VP": ("VP", "Vice President"),
        "Head": ("Head of",),
        "Director": ("Director",),
        "Manager": ("Manager",),
        "Intern": ("Intern",),
        "Senior": ("Senior ", "Lead ", "Principal "),
        "C-Level": ("Chief", "CEO", "CTO", "COO", "CMO", "CIO", "General Counsel"),
    }
    higher = ("Manager", "Director", "Head of", "VP", "Vice President", "Chief", "Intern")
    function_of: dict[str, str] = {}
    for person in first_people(3000):
        for job in person["employment"]["all"]:
            title, seniority = job["title"], job["seniority"]
            if seniority == "Entry":
                assert not any(word in title for word in higher), title
            elif seniority == "C-Level" and re.fullmatch("C[A-Z]O", title):
                pass  # "CEO", "CFO"...
            else:
                assert any(word in title for word in words[seniority]), (seniority, title)
            for pair in job["job_functions"]:
                # A sub-function always belongs to the same function.
                assert (
                    function_of.setdefault(pair["sub_function"], pair["function"])
                    == (pair["function"])
                )
            function = job["job_functions"][0]["function"]
            if title == "VP of Sales":
                assert (seniority, function) == ("VP", "Sales")
            if title in ("Software Engineer", "Senior Software Engineer"):
                assert function == "Engineering"
            if title == "Chief Financial Officer":
                assert (seniority, function) == ("C-Level", "Finance")
    assert len(function_of) >= 30


# ---------------------------------------------------------------------------------------
# Spread


def test_the_population_is_varied() -> None:
    people = first_people(5000)
    current = [p["employment"]["current"] for p in people]
    assert len({job["seniority"] for job in current}) == len(SENIORITIES)
    assert len({job["job_functions"][0]["function"] for job in current}) == 15
    assert len({job["company"]["industry"]["main_industry"] for job in current}) >= 20
    assert len({job["company"]["headcount_range"] for job in current}) == len(RANGES)
    assert len({job["company"]["company_type"] for job in current}) == len(COMPANY_TYPES)
    assert len({p["location"]["country_code"] for p in people}) >= 15
    days = [(s.REFERENCE_DATE - when(job["start_at"])).days for job in current]
    assert sum(d <= 90 for d in days) >= 100  # recent job changes
    assert sum(d >= 5 * 365 for d in days) >= 500  # and long tenures
    assert Counter(len(p["employment"]["all"]) for p in people).keys() == {1, 2, 3, 4}
    accented = [p for p in people if anyascii(p["full_name"]) != p["full_name"]]
    assert len(accented) >= 250
    assert len({p["full_name"] for p in people}) >= 3000
    # Colleagues seldom share a name, so a name and a domain find one person.
    named = {(p["full_name"], p["employment"]["current"]["company"]["domain"]) for p in people}
    assert len(named) >= len(people) - 5
    for key in ("skills", "languages", "educations"):
        assert len({dumps(x) for p in people for x in p[key]}) >= 50
    assert sum("description" in p for p in people) > 3000
    # Bigger companies employ more of the population, in any part of it.
    per_company = Counter(job["company"]["domain"] for job in current)
    assert max(per_company.values()) >= 10 * min(per_company.values())


def test_companies_employ_people_in_proportion_to_their_size() -> None:
    sizes = Counter(s.company_of(i, C) for i in range(P))
    assert len(sizes) == C  # everyone employs somebody
    big = [c for c in range(C) if s.company(c)["headcount"] > 10_000]
    small = [c for c in range(C) if s.company(c)["headcount"] <= 10]
    assert min(sizes[c] for c in big) > 20 * max(sizes[c] for c in small)


# ---------------------------------------------------------------------------------------
# Finding people back


def test_company_assignment_inverts() -> None:
    companies, people = 300, 5000
    by_company: dict[int, list[int]] = {}
    for i in range(people):
        by_company.setdefault(s.company_of(i, companies), []).append(i)
    for c in range(companies):
        assert list(s.employees(c, companies, people)) == by_company.get(c, [])
    for i in (0, 1, 299, 4999):
        assert s.person(i, companies)["employment"]["current"]["company"] == s.company(
            s.company_of(i, companies)
        )


def test_company_index_from_domain() -> None:
    for i in (0, 35, 1295, 1296, C - 1, 123_456):
        domain = s.company(i)["domain"]
        assert s.company_index(domain) == i
        assert s.company_index(f"https://www.{domain.upper()}/about") == i
    for other in ("acme.example", "example.com", "", "x-1.example", "a-zzzzzzzzzz.example"):
        assert s.company_index(other) is None


def test_handle_round_trip() -> None:
    for i in [*SAMPLE, P + 5, 10**7]:
        person = s.person(i, C)
        handle = person["social_profiles"]["professional_network"]["handle"]
        assert int(handle.rsplit("-", 1)[1], 36) == i
        assert s.person_for_handle(handle, C) == person
        url = person["social_profiles"]["professional_network"]["url"]
        assert s.person_for_handle(url.upper() + "/", C) == person
    first, last = s.person(9, C)["first_name"], s.person(9, C)["last_name"]
    for other in ("john-doe", "demoge", "", "-", "a-b-zzzzzzzzzz", f"{first}-{last}-a"):
        assert s.person_for_handle(other, C) is None


def test_name_and_domain_round_trip() -> None:
    for i in SAMPLE:
        person = s.person(i, C)
        domain = person["employment"]["current"]["company"]["domain"]
        found = s.person_for_name(person["first_name"], person["last_name"], domain, C, P)
        assert found is not None
        # Namesakes at one company resolve to the first of them.
        assert found["full_name"] == person["full_name"]
        assert found["employment"]["current"]["company"]["domain"] == domain
        assert (
            found["social_profiles"]["professional_network"]["id"]
            <= (person["social_profiles"]["professional_network"]["id"])
        )
        # Out of the population searched, or at another company: nobody.
        other = s.company((s.company_of(i, C) + 1) % C)["domain"]
        assert s.person_for_name(person["first_name"], person["last_name"], other, C, P) is None
    beyond = s.person(P + 3, C)
    domain = beyond["employment"]["current"]["company"]["domain"]
    assert s.person_for_name(beyond["first_name"], beyond["last_name"], domain, C, P) is None
    assert s.person_for_name(beyond["first_name"], beyond["last_name"], domain, C, P + 4)


def test_names_match_without_accents_or_case() -> None:
    accented = next(p for p in s.people(P, C) if anyascii(p["full_name"]) != p["full_name"])
    domain = accented["employment"]["current"]["company"]["domain"]
    found = s.person_for_name(
        anyascii(accented["first_name"]).upper(), anyascii(accented["last_name"]), domain, C, P
    )
    assert found is not None and found["full_name"] == accented["full_name"]


# ---------------------------------------------------------------------------------------
# The sandbox provider agrees with the population


async def sandbox(query: ContactQuery) -> tuple[list[EmailFinding], dict[str, Any]]:
    result = await SandboxProvider().find(query, frozenset(Field.findable()))
    emails = [f for f in result.findings if isinstance(f, EmailFinding)]
    profiles = [f.person for f in result.findings if isinstance(f, ProfileFinding)]
    assert len(profiles) == 1
    return emails, dict(profiles[0])


@pytest.mark.anyio
async def test_sandbox_enriches_synthetic_people_as_they_are() -> None:
    found_work_email = 0
    for i in SAMPLE:
        person = s.person(i, C)
        first, last = person["first_name"], person["last_name"]
        domain = person["employment"]["current"]["company"]["domain"]
        if s.person_for_name(first, last, domain, C, P) != person:
            continue  # a namesake at the same company comes first: asked by name, it answers
        domain = person["employment"]["current"]["company"]["domain"]
        url = person["social_profiles"]["professional_network"]["url"]
        by_handle = await sandbox(ContactQuery(linkedin_url=url))
        by_name = await sandbox(
            ContactQuery(
                first_name=anyascii(person["first_name"]).lower(),
                last_name=person["last_name"],
                domain=f"https://www.{domain}/",
            )
        )
        for emails, profile in (by_handle, by_name):
            assert_schema(profile, "Person")
            assert profile["id"] == person["id"]
            assert profile["full_name"] == person["full_name"]
            current = profile["employment"]["current"]
            assert current["title"] == person["employment"]["current"]["title"]
            assert current["company"]["domain"] == domain
            assert profile["location"] == person["location"]
            work = [e for e in emails if e.field is Field.WORK_EMAIL]
            assert all(e.email.endswith(f"@{domain}") for e in work)
            assert all(e.email.isascii() for e in emails)
            found_work_email += bool(work)
        # The answer follows the person, whichever way they were asked for.
        assert by_handle[0] == by_name[0]
    assert found_work_email >= 4


@pytest.mark.anyio
async def test_sandbox_invents_everybody_else() -> None:
    emails, profile = await sandbox(
        ContactQuery(first_name="Jane", last_name="Doe", domain="acme.example")
    )
    assert profile["full_name"] == "Jane Doe"
    assert profile["employment"]["current"]["company"]["domain"] == "acme.example"
    assert all(e.email.endswith(("@acme.example", "@mail.example")) for e in emails)
    _, profile = await sandbox(ContactQuery(linkedin_url="https://www.linkedin.com/in/jane-doe-1"))
    assert profile["social_profiles"]["professional_network"]["handle"] == "jane-doe-1"


@pytest.mark.anyio
async def test_a_sandbox_key_enriches_a_synthetic_person(sqlite_url: str, tmp_path: Path) -> None:
    person = s.person(4_096, C)
    domain = person["employment"]["current"]["company"]["domain"]
    url = person["social_profiles"]["professional_network"]["url"]
    fields = ["contact.work_emails", "contact.personal_emails", "contact.phones"]
    async with running_api(make_settings(sqlite_url, tmp_path)) as api:
        enrichment_id = await api.enrich(
            {
                "name": "synthetic",
                "data": [
                    {"linkedin_url": url, "enrich_fields": fields},
                    {
                        "first_name": person["first_name"],
                        "last_name": person["last_name"],
                        "domain": domain,
                        "enrich_fields": fields,
                    },
                ],
            }
        )
        body = (await api.wait(enrichment_id)).json()
    by_handle, by_name = body["data"]
    assert by_handle["profile"]["id"] == person["id"]
    assert by_handle["profile"]["employment"]["current"]["company"]["domain"] == domain
    assert by_handle["contact_info"] == by_name["contact_info"]
    for email in by_handle["contact_info"]["work_emails"]:
        assert email["email"].endswith(f"@{domain}")
