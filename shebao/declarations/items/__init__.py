"""The registry of handling items declared as data: one module per item (``h01.py`` …), each defining
``DEFINITION``. Adding an item means adding one module here."""

from __future__ import annotations

import importlib
import pkgutil

from .base import ItemDefinition

_SKIP = {"base", "checks", "fields"}


def _load() -> dict[str, ItemDefinition]:
    found = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name in _SKIP:
            continue
        definition = getattr(importlib.import_module(f"{__name__}.{module.name}"), "DEFINITION", None)
        if definition is not None:
            found[definition.code] = definition
    return found


DEFINITIONS: dict[str, ItemDefinition] = _load()


def definition_for(code: str) -> ItemDefinition | None:
    return DEFINITIONS.get(str(code).upper())
