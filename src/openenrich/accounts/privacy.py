"""The accounts tables hold no contact data (registered with `openenrich.privacy`)."""

EXEMPT = {
    "workspaces": "workspace names",
    "api_keys": "keyed digests of API keys",
    "balances": "credit balances",
    "ledger": "credit movements; a digest of each charged input, never the input",
}
