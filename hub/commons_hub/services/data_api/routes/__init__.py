"""Route modules of the data-api: every module here exports ``ROUTES = [(pattern, Handler), ...]``.

Patterns are relative to the service prefix (``/services/data-api/``). Features (contributions, votes,
releases, the assistant) add a module here rather than editing the app.
"""

import importlib
import pkgutil


def all_routes() -> list:
    routes = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        routes.extend(importlib.import_module(f"{__name__}.{module.name}").ROUTES)
    return routes
