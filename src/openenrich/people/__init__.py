"""The people and company store: merge rules, import, search and lookup.

Records are kept in the spec's own shapes (`Person`, `Company`); every value keeps the
source and time it came from. Owners: a workspace id, `""` for data the operator imported
for every workspace, or `SANDBOX` for the synthetic population that sandbox keys search.
"""
