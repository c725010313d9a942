import importlib
import pkgutil

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "shebao.portal"
    label = "portal"

    def ready(self) -> None:
        # Every module in shebao.portal.items registers its item pages with @portal_item on import.
        from . import items

        for module in pkgutil.iter_modules(items.__path__):
            importlib.import_module(f"{items.__name__}.{module.name}")
