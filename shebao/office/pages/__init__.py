"""One module per office function; each defines `urlpatterns`, collected into office/urls.py."""

import importlib
import pkgutil


def collect_urlpatterns() -> list:
    patterns = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        patterns += getattr(importlib.import_module(f"{__name__}.{module.name}"), "urlpatterns", [])
    return patterns
