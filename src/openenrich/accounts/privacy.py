"""The accounts tables hold no contact data (registered with `openenrich.privacy`)."""

EXEMPT = {
    "workspaces": "workspace names",
    "api_keys": "keyed digests of API keys",
    "balances": "credit balances",
    "ledger": "credit movements; a digest of each charged input, never the input",
    "sub_accounts": "sub-account names and credit limits",
    "workspace_settings": "budgets and switches",
    "provider_keys": "sealed vendor credentials of a workspace",
    "idempotency_keys": (
        "a digest of each creating request and its answer (ids only), for 24 hours"
    ),
}
