"""What a governed read says about itself, in its response headers: one round trip, not a second request.

The data-api sets these on every successful read (services/data_api/routes/datasets.py); the kernel's client reads
them back (client.py) and ``ck.read`` puts them in ``frame.attrs``. Values are URL-encoded (percent-encoded UTF-8),
so a licence or attribution in any script survives HTTP's latin-1 headers.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, unquote

# header -> (key in the read's info, how to turn the decoded text back into the value)
HEADERS: dict[str, tuple[str, Callable[[str], object]]] = {
    "Commons-Version": ("version", int),
    "Commons-Licence": ("licence", str),
    "Commons-Attribution": ("attribution", str),
    "Commons-Title": ("title", str),
    "Commons-Tier": ("tier", str),
    "Commons-Synthetic": ("synthetic", lambda text: text == "true"),
}


def encode(info: dict) -> dict[str, str]:
    """The headers for a read described by ``info`` (version, licence, attribution, title, tier, synthetic)."""
    out = {}
    for header, (key, _) in HEADERS.items():
        value = info.get(key)
        if isinstance(value, bool):
            value = "true" if value else "false"
        out[header] = quote("" if value is None else str(value), safe="")
    return out


def decode(headers) -> dict:
    """The read's info back from its headers (a mapping, case-insensitive like requests'); missing headers are
    left out, so a caller sees what the server did not send."""
    out = {}
    for header, (key, parse) in HEADERS.items():
        raw = headers.get(header)
        if raw is not None:
            out[key] = parse(unquote(raw))
    return out
