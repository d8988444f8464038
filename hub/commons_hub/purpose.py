"""The stated purpose of a read: real words, not a placeholder.

A purpose is kept in the audit log and shown on the public register, so ``.``, a zero-width space or ``x`` say
nothing to the people who read it. A word is a run of two or more letters after NFKC normalisation (so
full-width and other look-alike letters count as the letters they stand for); setting ``purpose_min_words``
says how many a purpose needs (default 3). Restricted data always need a purpose; open and community data need
none, but a purpose given for them must be a real one too.
"""

from __future__ import annotations

import re
import unicodedata

from commons_kernel.config import setting

WORD = re.compile(r"[^\W\d_]{2,}")
EXAMPLE = "weekly demand by borough for the outreach plan"


def purpose_words(purpose: str | None) -> list[str]:
    """The words of ``purpose``: runs of 2+ letters after NFKC normalisation."""
    return WORD.findall(unicodedata.normalize("NFKC", str(purpose or "")))


def is_blank(purpose: str | None) -> bool:
    """Nothing given: empty, or only spaces (zero-width characters count as something given, and are refused)."""
    return not str(purpose or "").strip()


def purpose_problem(purpose: str | None, min_words: int | None = None) -> str:
    """ "" when ``purpose`` is a real purpose; otherwise why not, in words that teach what to write."""
    needed = setting("purpose_min_words") if min_words is None else min_words
    words = purpose_words(purpose)
    if len(words) >= needed:
        return ""
    text = str(purpose or "")
    invisible = [c for c in text if unicodedata.category(c) in ("Cf", "Cc", "Zl", "Zp")]
    shown = "an invisible character" if invisible and not text.strip("".join(invisible) + " \t") else repr(text[:60])
    counted = f"{len(words)} word{'s' if len(words) != 1 else ''}"
    return (
        f"the purpose given ({shown}) has {counted}; a purpose says in at least {needed} words what the read "
        f"is for, e.g. purpose='{EXAMPLE}' (a word is 2 or more letters; it is kept in the audit log and shown "
        f"on the public register)"
    )
