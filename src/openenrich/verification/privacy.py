"""Verification keeps domain facts only (registered with `openenrich.privacy`)."""

EXEMPT = {
    "domain_facts": "mail routes, catch-all and address pattern of a domain, never an address",
}
