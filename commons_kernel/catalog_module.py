"""``commons_kernel.catalog`` as a module object: ``ck.catalog`` is the function that lists datasets, so code
that wants the module writes ``import commons_kernel.catalog_module as catalog``."""

import sys

from commons_kernel import catalog as _catalog_module_or_function  # noqa: F401

sys.modules[__name__] = sys.modules["commons_kernel.catalog"]
