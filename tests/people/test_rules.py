"""Seniority and job functions read from real-world job titles, and the properties every
answer keeps: drawn from the declared vocabularies, and the same whatever the case or
accents of the title."""

from __future__ import annotations

import pytest
from anyascii import anyascii
from hypothesis import given, settings
from hypothesis import strategies as st

from openenrich.people.rules import FUNCTIONS, SENIORITIES, job_functions, seniority

Functions = list[tuple[str, str | None]]

ENG = ("Engineering", None)
SWE = ("Engineering", "Software Engineering")
SALES = ("Sales", None)
BD = ("Sales", "Business Development")
MARKETING = ("Marketing", None)
HR = ("Human Resources", None)
FINANCE = ("Finance", None)
OPS = ("Operations", None)
ADMIN = ("Operations", "Administration")
PRODUCT = ("Product", "Product Management")
IT = ("Information Technology", None)
TEACHING = ("Education", "Teaching")

# (title, seniority, functions): real titles, tricky ones included.
TITLES: list[tuple[str, str | None, Functions]] = [
    # C-level, founders, owners
    ("CEO", "C-Level", []),
    ("Chief Executive Officer", "C-Level", []),
    ("CTO", "C-Level", [ENG]),
    ("CFO", "C-Level", [FINANCE]),
    ("COO", "C-Level", [OPS]),
    ("CMO", "C-Level", [MARKETING]),
    ("CRO", "C-Level", [SALES]),
    ("CIO", "C-Level", [IT]),
    ("CISO", "C-Level", [("Information Technology", "Information Security")]),
    ("Chief Revenue Officer", "C-Level", [SALES]),
    ("Chief Product Officer", "C-Level", [PRODUCT]),
    ("Chief Data Officer", "C-Level", [("Data Science", None)]),
    ("Chief AI Officer", "C-Level", [("Data Science", "Machine Learning")]),
    ("President", "C-Level", []),
    ("Chairman of the Board", "C-Level", []),
    ("Managing Director", "C-Level", []),
    ("Founder & CEO", "Founder", []),
    ("CEO & Co-Founder", "Founder", []),
    ("Co-Founder & CTO", "Founder", [ENG]),
    ("Founder and Managing Partner", "Founder", []),
    ("Owner & CEO", "Owner", []),
    ("Owner/Operator", "Owner", []),
    ("Business Owner", "Owner", []),
    ("Proprietor", "Owner", []),
    ("Self-Employed", "Owner", []),
    # Partners, VPs, heads, directors
    ("Partner", "Partner", []),
    ("Managing Partner", "Partner", []),
    ("Senior Partner", "Partner", []),
    ("Partner at Founders Fund", "Partner", []),
    ("Vice President of Engineering", "VP", [ENG]),
    ("V.P. of Sales", "VP", [SALES]),
    ("V. P. Sales", "VP", [SALES]),
    ("SVP, Global Sales", "VP", [SALES]),
    ("EVP & General Counsel", "VP", [("Legal", "Legal Counsel")]),
    ("Assistant Vice President", "VP", []),
    ("VP Product", "VP", [PRODUCT]),
    ("VP People & Culture", "VP", [("Human Resources", "People Operations")]),
    ("Head of Growth", "Head", [("Marketing", "Growth")]),
    ("Head of IT", "Head", [IT]),
    ("Head of Partnerships", "Head", [BD]),
    ("Head of AI", "Head", [("Data Science", "Machine Learning")]),
    ("General Manager", "Head", []),
    ("Chief Scientist", "Head", []),
    ("Director of Engineering", "Director", [ENG]),
    ("Associate Director of Marketing", "Director", [MARKETING]),
    ("Sales & Marketing Director", "Director", [SALES, MARKETING]),
    ("Communications Director", "Director", [("Marketing", "Communications")]),
    ("Art Director", "Director", [("Design", "Graphic Design")]),
    ("Chief of Staff", "Director", [("Operations", "Business Operations")]),
    # Managers
    ("Growth Marketing Manager", "Manager", [("Marketing", "Growth")]),
    ("Partnerships Manager", "Manager", [BD]),
    ("Channel Partner Manager", "Manager", [BD]),
    ("Product Marketing Manager", "Manager", [("Marketing", "Product Marketing")]),
    ("Product Manager", "Manager", [PRODUCT]),
    ("Engineering Manager", "Manager", [ENG]),
    ("Technical Account Manager", "Manager", [("Customer Success", "Customer Success Management")]),
    ("Key Account Manager", "Manager", [("Sales", "Account Management")]),
    ("Revenue Operations Manager", "Manager", [("Sales", "Sales Operations")]),
    ("Talent Acquisition Manager", "Manager", [("Human Resources", "Recruiting")]),
    ("Project Manager", "Manager", [("Operations", "Project Management")]),
    ("Office Manager", "Manager", [ADMIN]),
    ("Senior Manager, FP&A", "Manager", [("Finance", "FP&A")]),
    ("Assistant Manager", "Manager", []),
    ("Team Lead, Customer Support", "Manager", [("Customer Success", "Customer Support")]),
    # Senior individual contributors
    ("Sr. Software Engineer", "Senior", [SWE]),
    ("Senior Account Executive", "Senior", [("Sales", "Account Executive")]),
    ("Staff Software Engineer", "Senior", [SWE]),
    ("Principal Engineer", "Senior", [ENG]),
    ("Tech Lead", "Senior", [ENG]),
    ("Lead Product Designer", "Senior", [("Design", "Product Design")]),
    ("Professor of Computer Science", "Senior", [TEACHING]),
    # Entry level, interns
    ("Junior Accountant", "Entry", [("Finance", "Accounting")]),
    ("Sales Associate", "Entry", [SALES]),
    ("Business Development Representative", "Entry", [BD]),
    ("Administrative Assistant", "Entry", [ADMIN]),
    ("Executive Assistant to the CEO", "Entry", [ADMIN]),
    ("Founder's Associate", "Entry", [("Operations", "Business Operations")]),
    ("Software Engineer I", "Entry", [SWE]),
    ("Accounts Payable Clerk", "Entry", [("Finance", "Accounting")]),
    ("Marketing Intern", "Intern", [MARKETING]),
    ("Summer Associate", "Intern", []),
    ("Working Student Data Analytics", "Intern", [("Data Science", "Data Analysis")]),
    ("Trainee", "Intern", []),
    ("Intern, Office of the CEO", "Intern", []),
    # Titles that state no rank
    ("Software Engineer", None, [SWE]),
    ("Account Executive", None, [("Sales", "Account Executive")]),
    ("Product Owner", None, [PRODUCT]),
    ("HR Business Partner", None, [("Human Resources", "People Operations")]),
    ("Talent Partner", None, [("Human Resources", "Recruiting")]),
    ("Head Hunter", None, [("Human Resources", "Recruiting")]),
    ("Lead Generation Specialist", None, [("Marketing", "Growth")]),
    ("Staff Accountant", None, [("Finance", "Accounting")]),
    ("Founding Engineer", None, [ENG]),
    ("Internship Coordinator", None, []),
    ("Sales Engineer", None, [SALES]),
    ("Solutions Engineer", None, [SALES]),
    ("Technical Support Engineer", None, [("Customer Success", "Customer Support")]),
    ("Machine Learning Engineer", None, [("Data Science", "Machine Learning")]),
    ("Data Engineer", None, [("Data Science", "Data Engineering")]),
    ("BI Developer", None, [("Data Science", "Business Intelligence")]),
    ("Data Scientist", None, [("Data Science", None)]),
    ("DevOps Engineer", None, [("Engineering", "DevOps")]),
    ("Site Reliability Engineer", None, [("Engineering", "DevOps")]),
    ("QA Automation Engineer", None, [("Engineering", "QA")]),
    ("Firmware Engineer", None, [("Engineering", "Hardware")]),
    ("Security Engineer", None, [("Information Technology", "Information Security")]),
    ("Systems Administrator", None, [("Information Technology", "Systems Administration")]),
    ("Help Desk Technician", None, [("Information Technology", "IT Support")]),
    ("Developer Advocate", None, [MARKETING]),
    ("UX Researcher", None, [("Design", "UX Research")]),
    ("UX Designer", None, [("Design", "UX Design")]),
    ("Copywriter", None, [("Marketing", "Content")]),
    ("Financial Analyst", None, [("Finance", "FP&A")]),
    ("Internal Auditor", None, [("Finance", "Audit")]),
    ("Payroll Specialist", None, [("Human Resources", "Compensation & Benefits")]),
    ("Procurement Specialist", None, [("Operations", "Supply Chain")]),
    ("Scrum Master", None, [("Operations", "Project Management")]),
    ("Management Consultant", None, [("Consulting", "Management Consulting")]),
    ("SAP Consultant", None, [("Consulting", "IT Consulting")]),
    ("Patent Attorney", None, [("Legal", "Intellectual Property")]),
    ("Compliance Officer", None, [("Legal", "Compliance")]),
    ("Paralegal", None, [("Legal", "Paralegal")]),
    ("High School Teacher", None, [TEACHING]),
    ("Postdoctoral Researcher", None, [("Education", "Academic Research")]),
    ("Registered Nurse", None, [("Healthcare", "Nursing")]),
    ("Pharmacist", None, [("Healthcare", "Pharmacy")]),
    ("Physical Therapist", None, [("Healthcare", "Therapy")]),
    ("Attending Physician", None, [("Healthcare", "Medicine")]),
    ("Board Member", None, []),
    ("Retired", None, []),
    ("", None, []),
    # French, German, Spanish
    ("Directeur Commercial", "Director", [SALES]),
    ("Directeur Général", "C-Level", []),
    ("PDG", "C-Level", []),
    ("Responsable Marketing", "Manager", [MARKETING]),
    ("Chef de Projet", "Manager", [("Operations", "Project Management")]),
    ("Stagiaire Développeur", "Intern", [SWE]),
    ("Vice-président Ventes", "VP", [SALES]),
    ("Associé", "Partner", []),
    ("Fondatrice", "Founder", []),
    ("Geschäftsführer", "C-Level", []),
    ("Mitgründer & Geschäftsführer", "Founder", []),
    ("Leiter Vertrieb", "Head", [SALES]),
    ("Vertriebsleiter", "Head", [SALES]),
    ("Personalleiterin", "Head", [HR]),
    ("Teamleiter IT", "Manager", [IT]),
    ("Werkstudent Marketing", "Intern", [MARKETING]),
    ("Softwareentwickler", None, [SWE]),
    ("Steuerberater", None, [("Finance", "Tax")]),
    ("Inhaber", "Owner", []),
    ("Director de Recursos Humanos", "Director", [HR]),
    ("Gerente de Ventas", "Manager", [SALES]),
    ("Gerente General", "C-Level", []),
    ("Cofundador y CEO", "Founder", []),
    ("Becario de Marketing", "Intern", [MARKETING]),
    ("Ingeniero de Datos", None, [("Data Science", "Data Engineering")]),
    ("Abogado", None, [("Legal", "Legal Counsel")]),
]


@pytest.mark.parametrize(("title", "level", "functions"), TITLES, ids=[t[0] for t in TITLES])
def test_title(title: str, level: str | None, functions: Functions) -> None:
    assert (seniority(title), job_functions(title)) == (level, functions)


def test_the_table_is_large_and_covers_the_vocabulary() -> None:
    assert len(TITLES) >= 80
    assert {level for _, level, _ in TITLES} == {*SENIORITIES, None}
    named = {function for _, _, functions in TITLES for function, _ in functions}
    assert named == set(FUNCTIONS)


def test_the_vocabularies() -> None:
    assert len(SENIORITIES) == len(set(SENIORITIES)) == 11
    assert len(FUNCTIONS) == 15
    subs = [sub for subs in FUNCTIONS.values() for sub in subs]
    assert all(2 <= len(subs) <= 4 for subs in FUNCTIONS.values())
    assert len(subs) == len(set(subs)), "a sub-function names one function only"


def _in_vocabulary(title: str) -> None:
    level = seniority(title)
    assert level is None or level in SENIORITIES
    found = job_functions(title)
    assert len(found) == len(set(found))
    for function, sub in found:
        assert function in FUNCTIONS
        assert sub is None or sub in FUNCTIONS[function]


@pytest.mark.parametrize("title", [t[0] for t in TITLES])
def test_case_and_accents_do_not_change_the_answer(title: str) -> None:
    expected = (seniority(title), job_functions(title))
    for variant in (title.upper(), title.lower(), title.title(), anyascii(title)):
        assert (seniority(variant), job_functions(variant)) == expected, variant


def test_accented_spellings() -> None:
    assert seniority("Sénior Développeur") == seniority("Senior Developpeur") == "Senior"
    assert seniority("DIRECTRICE GÉNÉRALE") == "C-Level"
    assert job_functions("Ingénieur Logiciel") == job_functions("ingenieur logiciel") == [SWE]


def test_returned_lists_are_the_callers_own() -> None:
    first = job_functions("Sales Manager")
    first.clear()
    assert job_functions("Sales Manager") == [SALES]


# Words titles are made of, rank and function words in particular.
WORDS = (
    "ceo vp head of senior junior intern sales marketing engineer data manager director "
    "partner owner founder co-founder assistant to the at & / , . - chief officer product "
    "design nurse teacher legal it finance hr ops growth staff lead principal"
)
words = st.sampled_from(WORDS.split())


@settings(max_examples=300, deadline=None)
@given(st.lists(words, max_size=8).map(" ".join) | st.text(max_size=60))
def test_any_title_gets_an_answer_in_the_vocabulary(title: str) -> None:
    _in_vocabulary(title)
