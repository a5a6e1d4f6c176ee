"""Typed models of the FullEnrich v2 wire (`spec/fullenrich-v2-openapi.yml`).

Every model accepts fields it does not declare (`extra="allow"`): FullEnrich adds fields
(phone `line_type`, `byok_provider`, company `technologies`) faster than it republishes its
spec, and a client that drops what it does not know would lose data. Field names are the
wire names, so `model.model_dump(exclude_none=True)` is the wire body.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WireModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def wire(self) -> dict[str, Any]:
        """The JSON body: unset fields left out, as the API expects."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


class EnrichField(StrEnum):
    WORK_EMAILS = "contact.work_emails"
    PERSONAL_EMAILS = "contact.personal_emails"
    PHONES = "contact.phones"


class EnrichmentStatus(StrEnum):
    CREATED = "CREATED"
    IN_PROGRESS = "IN_PROGRESS"
    CANCELED = "CANCELED"
    CREDITS_INSUFFICIENT = "CREDITS_INSUFFICIENT"
    FINISHED = "FINISHED"
    RATE_LIMIT = "RATE_LIMIT"
    UNKNOWN = "UNKNOWN"

    @property
    def terminal(self) -> bool:
        """No later GET will change the body. RATE_LIMIT and UNKNOWN are failures too."""
        return self not in (EnrichmentStatus.CREATED, EnrichmentStatus.IN_PROGRESS)


# --- account -------------------------------------------------------------------------


class KeyCheck(WireModel):
    workspace_id: str


class Credits(WireModel):
    balance: float


# --- enrichment requests ---------------------------------------------------------------


class WebhookEvents(WireModel):
    contact_finished: str | None = None


class Contact(WireModel):
    """One contact to enrich: names + (domain or company_name), or a LinkedIn URL."""

    first_name: str | None = None
    last_name: str | None = None
    domain: str | None = None
    company_name: str | None = None
    linkedin_url: str | None = None
    # Plain strings: a value FullEnrich adds later must not be refused by an older client.
    enrich_fields: list[str] | None = None
    custom: dict[str, str] | None = None


class EnrichRequest(WireModel):
    name: str
    data: list[Contact]
    webhook_url: str | None = None
    webhook_events: WebhookEvents | None = None


class ReverseEmailContact(WireModel):
    email: str
    custom: dict[str, str] | None = None


class ReverseEmailRequest(WireModel):
    name: str
    data: list[ReverseEmailContact]
    webhook_url: str | None = None
    webhook_events: WebhookEvents | None = None


class EnrichmentStarted(WireModel):
    enrichment_id: str


# --- records ---------------------------------------------------------------------------


class Email(WireModel):
    email: str | None = None
    status: str | None = None


class Phone(WireModel):
    number: str | None = None
    region: str | None = None


class ContactInfo(WireModel):
    most_probable_work_email: Email | None = None
    most_probable_personal_email: Email | None = None
    most_probable_phone: Phone | None = None
    work_emails: list[Email] | None = None
    personal_emails: list[Email] | None = None
    phones: list[Phone] | None = None


class EnrichmentInput(WireModel):
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    company_domain: str | None = None
    company_name: str | None = None
    professional_network_url: str | None = None


class ProfessionalNetwork(WireModel):
    id: int | None = None
    url: str | None = None
    handle: str | None = None
    connection_count: int | None = None


class SocialProfiles(WireModel):
    professional_network: ProfessionalNetwork | None = None


class Location(WireModel):
    country: str | None = None
    country_code: str | None = None
    city: str | None = None
    region: str | None = None


class CompanyAddress(WireModel):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    country_code: str | None = None


class OfficeAddress(WireModel):
    line1: str | None = None
    line2: str | None = None


class CompanyLocations(WireModel):
    headquarters: CompanyAddress | None = None
    offices: list[OfficeAddress] | None = None


class Industry(WireModel):
    main_industry: str | None = None


class Company(WireModel):
    id: str | None = None
    name: str | None = None
    domain: str | None = None
    website: str | None = None
    description: str | None = None
    year_founded: int | None = None
    headcount: int | None = None
    headcount_range: str | None = None
    company_type: str | None = None
    specialties: list[str] | None = None
    locations: CompanyLocations | None = None
    industry: Industry | None = None
    social_profiles: SocialProfiles | None = None
    logo_url: str | None = None


class JobFunction(WireModel):
    function: str | None = None
    sub_function: str | None = None


class Employment(WireModel):
    title: str | None = None
    seniority: str | None = None
    job_functions: list[JobFunction] | None = None
    description: str | None = None
    company: Company | None = None
    is_current: bool | None = None
    start_at: str | None = None
    end_at: str | None = None


class Employments(WireModel):
    current: Employment | None = None
    all: list[Employment] | None = None


class Education(WireModel):
    school_name: str | None = None
    degree: str | None = None
    start_at: str | None = None
    end_at: str | None = None


class Language(WireModel):
    language: str | None = None
    proficiency: str | None = None


class Person(WireModel):
    id: str | None = None
    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    headline: str | None = None
    description: str | None = None
    location: Location | None = None
    social_profiles: SocialProfiles | None = None
    educations: list[Education] | None = None
    languages: list[Language] | None = None
    skills: list[str] | None = None
    employment: Employments | None = None


class EnrichmentRecord(WireModel):
    input: EnrichmentInput | None = None
    custom: dict[str, Any] | None = None
    contact_info: ContactInfo | None = None
    profile: Person | None = None


class Cost(WireModel):
    credits: float = 0


class Enrichment(WireModel):
    """`ResponseGetContactBulkEnrich`; also the body of the job's webhook."""

    id: str
    name: str | None = None
    status: EnrichmentStatus
    data: list[EnrichmentRecord] | None = None
    cost: Cost | None = None


class ReverseEmailInput(WireModel):
    email: str | None = None


class ReverseEmailRecord(WireModel):
    input: ReverseEmailInput | None = None
    custom: dict[str, Any] | None = None
    profile: Person | None = None


class ReverseEmailResult(WireModel):
    id: str
    name: str | None = None
    status: EnrichmentStatus
    data: list[ReverseEmailRecord] | None = None
    cost: Cost | None = None


# --- search and lookup -----------------------------------------------------------------


class TextFilter(WireModel):
    value: str
    exclude: bool | None = None
    exact_match: bool | None = None


class IdFilter(WireModel):
    value: int
    exclude: bool | None = None
    exact_match: bool | None = None


class RangeFilter(WireModel):
    min: int | None = None
    max: int | None = None
    exclude: bool | None = None


class _Paging(WireModel):
    offset: int | None = None
    limit: int | None = None
    search_after: str | None = None


class PeopleSearch(_Paging):
    """`SearchPeopleRequest`: values of one filter are alternatives, filters combine."""

    current_company_names: list[TextFilter] | None = None
    current_company_domains: list[TextFilter] | None = None
    current_company_professional_network_ids: list[IdFilter] | None = None
    current_company_professional_network_urls: list[TextFilter] | None = None
    current_company_specialties: list[TextFilter] | None = None
    current_company_industries: list[TextFilter] | None = None
    past_company_names: list[TextFilter] | None = None
    past_company_domains: list[TextFilter] | None = None
    current_company_types: list[TextFilter] | None = None
    current_company_headquarters: list[TextFilter] | None = None
    current_company_headcounts: list[RangeFilter] | None = None
    current_company_founded_years: list[RangeFilter] | None = None
    current_company_ids: list[TextFilter] | None = None
    person_ids: list[TextFilter] | None = None
    person_names: list[TextFilter] | None = None
    person_professional_network_ids: list[IdFilter] | None = None
    person_professional_network_urls: list[TextFilter] | None = None
    person_locations: list[TextFilter] | None = None
    person_languages: list[TextFilter] | None = None
    person_skills: list[TextFilter] | None = None
    current_position_seniority_level: list[TextFilter] | None = None
    current_position_job_functions: list[TextFilter] | None = None
    current_position_sub_functions: list[TextFilter] | None = None
    current_position_titles: list[TextFilter] | None = None
    past_position_titles: list[TextFilter] | None = None
    current_position_years_in: list[RangeFilter] | None = None
    current_company_years_at: list[RangeFilter] | None = None
    person_universities: list[TextFilter] | None = None
    current_company_days_since_last_job_change: list[RangeFilter] | None = None


class CompanySearch(_Paging):
    """`SearchCompanyRequest`."""

    names: list[TextFilter] | None = None
    domains: list[TextFilter] | None = None
    professional_network_ids: list[IdFilter] | None = None
    professional_network_urls: list[TextFilter] | None = None
    keywords: list[TextFilter] | None = None
    specialties: list[TextFilter] | None = None
    industries: list[TextFilter] | None = None
    types: list[TextFilter] | None = None
    headquarters_locations: list[TextFilter] | None = None
    founded_years: list[RangeFilter] | None = None
    headcounts: list[RangeFilter] | None = None
    company_ids: list[TextFilter] | None = None


class SearchMetadata(WireModel):
    total: int | None = None
    credits: float | None = None
    offset: int | None = None
    search_after: str | None = None


class PeoplePage(WireModel):
    people: list[Person] = Field(default_factory=list)
    metadata: SearchMetadata = Field(default_factory=SearchMetadata)


class CompanyPage(WireModel):
    companies: list[Company] = Field(default_factory=list)
    metadata: SearchMetadata = Field(default_factory=SearchMetadata)


class PersonLookup(WireModel):
    """`LookUpPeopleRequest`: at least one identifier; a name wants a company beside it."""

    person_name: str | None = None
    person_professional_network_url: str | None = None
    person_professional_network_id: int | None = None
    company_professional_network_url: str | None = None
    company_professional_network_id: int | None = None
    company_domain: str | None = None


class CompanyLookup(WireModel):
    domain: str | None = None
    professional_network_url: str | None = None
    professional_network_id: int | None = None


class LookupMetadata(WireModel):
    credits: float | None = None


class PersonMatch(WireModel):
    people: list[Person] = Field(default_factory=list)
    metadata: LookupMetadata = Field(default_factory=LookupMetadata)

    @property
    def person(self) -> Person | None:
        return self.people[0] if self.people else None


class CompanyMatch(WireModel):
    companies: list[Company] = Field(default_factory=list)
    metadata: LookupMetadata = Field(default_factory=LookupMetadata)

    @property
    def company(self) -> Company | None:
        return self.companies[0] if self.companies else None


# --- OpenEnrich extensions -------------------------------------------------------------


class EmailVerification(WireModel):
    """`POST /email/verify` (OpenEnrich): the verdict on one address."""

    email: str | None = None
    status: str | None = None


class WebhookSecret(WireModel):
    secret: str
