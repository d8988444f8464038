"""The commons' assistant: finds data in the catalogue, explains access, and writes commons_kernel code.

    from commons_kernel.assistant import Assistant
    answer = Assistant().ask("How deprived is Everton?")
    answer.text, answer.datasets, answer.snippet

It sees metadata only, never rows. In a notebook: ``%load_ext commons_kernel.assistant`` then ``%ask ...``.
"""

from commons_kernel.assistant.answer import Answer
from commons_kernel.assistant.assistant import Assistant
from commons_kernel.assistant.magic import load_ipython_extension
from commons_kernel.assistant.places import Gazetteer, Place, gss_level
from commons_kernel.assistant.sources import (
    CatalogMetadataSource,
    DataApiMetadataSource,
    MetadataSource,
    default_source,
)

__all__ = [
    "Assistant",
    "Answer",
    "MetadataSource",
    "CatalogMetadataSource",
    "DataApiMetadataSource",
    "default_source",
    "Gazetteer",
    "Place",
    "gss_level",
    "load_ipython_extension",
]
