"""Names of vendor adapters, mapped to their classes; modules are imported on first use, so
a vendor whose module is missing or broken is disabled alone."""

from __future__ import annotations

import importlib
import inspect
import logging
from typing import Any

log = logging.getLogger(__name__)

# name -> (module, class). A class that is not found under its expected name is looked up
# in the module by its `name` attribute.
ADAPTERS: dict[str, tuple[str, str]] = {
    "hunter": ("openenrich.providers.hunter", "HunterAdapter"),
    "hunter_verifier": ("openenrich.providers.hunter", "HunterVerifier"),
    "apollo": ("openenrich.providers.apollo", "ApolloAdapter"),
    "pdl": ("openenrich.providers.pdl", "PdlAdapter"),
    "prospeo": ("openenrich.providers.prospeo", "ProspeoAdapter"),
    "leadmagic": ("openenrich.providers.leadmagic", "LeadMagicAdapter"),
    "findymail": ("openenrich.providers.findymail", "FindymailAdapter"),
    "findymail_verifier": ("openenrich.providers.findymail", "FindymailVerifier"),
    "icypeas": ("openenrich.providers.icypeas", "IcypeasAdapter"),
    "rocketreach": ("openenrich.providers.rocketreach", "RocketReachAdapter"),
    "snov": ("openenrich.providers.snov", "SnovAdapter"),
    "dropcontact": ("openenrich.providers.dropcontact", "DropcontactAdapter"),
    "contactout": ("openenrich.providers.contactout", "ContactOutAdapter"),
    "lusha": ("openenrich.providers.lusha", "LushaAdapter"),
    "zerobounce": ("openenrich.providers.zerobounce", "ZeroBounceAdapter"),
    "neverbounce": ("openenrich.providers.neverbounce", "NeverBounceAdapter"),
    "millionverifier": ("openenrich.providers.millionverifier", "MillionVerifierAdapter"),
    "fullenrich": ("openenrich.providers.fullenrich", "FullEnrichAdapter"),
}


class AdapterUnavailable(LookupError):
    """No adapter by that name, or its module could not be imported."""


def _find_class(module: Any, name: str, class_name: str) -> type[Any]:
    found = getattr(module, class_name, None)
    if inspect.isclass(found):
        return found
    for _, candidate in inspect.getmembers(module, inspect.isclass):
        if candidate.__module__ == module.__name__ and getattr(candidate, "name", None) == name:
            return candidate
    raise AdapterUnavailable(f"{module.__name__} has no adapter named {name!r}")


def adapter_class(name: str) -> type[Any]:
    """The adapter class registered as `name`; raises `AdapterUnavailable`."""
    try:
        module_path, class_name = ADAPTERS[name]
    except KeyError:
        raise AdapterUnavailable(f"unknown adapter {name!r}") from None
    try:
        module = importlib.import_module(module_path)
    except Exception as exc:  # a missing or broken vendor module disables that vendor only
        raise AdapterUnavailable(f"{module_path}: {type(exc).__name__}: {exc}") from exc
    return _find_class(module, name, class_name)


def create_adapter(name: str, *, base_url: str | None = None) -> Any:
    """An instance of adapter `name`, pointed at `base_url` when given (the adapter must
    then accept a `base_url` argument)."""
    cls = adapter_class(name)
    return cls(base_url=base_url) if base_url else cls()


def availability() -> dict[str, str | None]:
    """Every registered name, with None when usable or the reason it is not."""
    result: dict[str, str | None] = {}
    for name in ADAPTERS:
        try:
            adapter_class(name)
        except AdapterUnavailable as exc:
            result[name] = str(exc)
        else:
            result[name] = None
    return result
