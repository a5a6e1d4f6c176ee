"""The OpenEnrich Python SDK: the FullEnrich v2 API, against OpenEnrich or FullEnrich.

    from openenrich.client import Client

    with Client(base_url="http://127.0.0.1:8000", api_key="oe_test_...") as client:
        for done in client.enrich(contacts, ["contact.work_emails"]):
            print(done.index, done.record.contact_info)

Importing it loads httpx and pydantic only: no server, database or web framework.
"""

from openenrich.client._async import AsyncClient
from openenrich.client._base import (
    DEFAULT_BASE_URL,
    FULLENRICH_BASE_URL,
    EnrichedContact,
)
from openenrich.client._errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConnectionFailed,
    EnrichmentFailed,
    EnrichmentNotReady,
    NotFoundError,
    OpenEnrichError,
    PaymentRequiredError,
    RateLimitError,
    ServerError,
    WebhookVerificationError,
)
from openenrich.client._models import (
    Company,
    CompanyLookup,
    CompanyMatch,
    CompanyPage,
    CompanySearch,
    Contact,
    ContactInfo,
    Cost,
    Credits,
    Email,
    EmailVerification,
    EnrichField,
    Enrichment,
    EnrichmentRecord,
    EnrichmentStatus,
    IdFilter,
    KeyCheck,
    PeoplePage,
    PeopleSearch,
    Person,
    PersonLookup,
    PersonMatch,
    Phone,
    RangeFilter,
    ReverseEmailContact,
    ReverseEmailRecord,
    ReverseEmailResult,
    SearchMetadata,
    TextFilter,
    WebhookEvents,
)
from openenrich.client._sync import Client
from openenrich.client._webhooks import verify_webhook

__all__ = [
    "DEFAULT_BASE_URL",
    "FULLENRICH_BASE_URL",
    "ApiError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "Company",
    "CompanyLookup",
    "CompanyMatch",
    "CompanyPage",
    "CompanySearch",
    "ConnectionFailed",
    "Contact",
    "ContactInfo",
    "Cost",
    "Credits",
    "Email",
    "EmailVerification",
    "EnrichField",
    "EnrichedContact",
    "Enrichment",
    "EnrichmentFailed",
    "EnrichmentNotReady",
    "EnrichmentRecord",
    "EnrichmentStatus",
    "IdFilter",
    "KeyCheck",
    "NotFoundError",
    "OpenEnrichError",
    "PaymentRequiredError",
    "PeoplePage",
    "PeopleSearch",
    "Person",
    "PersonLookup",
    "PersonMatch",
    "Phone",
    "RangeFilter",
    "RateLimitError",
    "ReverseEmailContact",
    "ReverseEmailRecord",
    "ReverseEmailResult",
    "SearchMetadata",
    "ServerError",
    "TextFilter",
    "WebhookEvents",
    "WebhookVerificationError",
    "verify_webhook",
]
