"""Tables added by feature modules (votes, contributions, releases, story runs), one module each.

Every module in this package is imported by ``commons_hub.db.engine()`` before ``create_all``, so a feature
declares its tables on ``commons_hub.db.METADATA`` in its own file here and they exist at start.
"""

import importlib
import pkgutil


def import_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
