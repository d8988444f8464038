"""The accessibility statement as a public page: docs/accessibility.md rendered to the stories service's static
folder (``/services/stories/static/accessibility.html``), which every public page's footer links.

The Markdown file is the one source; the page is generated from it and kept in the repository, and
tests/unit/test_accessibility_statement.py fails when it is stale. Regenerate it with
``.venv/bin/python -m commons_hub.statement``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from commons_kernel.config import PROJECT_ROOT
from commons_kernel.stories import ACCESSIBILITY_STATEMENT_URL

SOURCE = PROJECT_ROOT / "docs" / "accessibility.md"
PAGE = Path(__file__).parent / "services" / "stories" / "static" / "accessibility.html"
URL = ACCESSIBILITY_STATEMENT_URL
FOOTER_LINK = f'<a href="{URL}">Accessibility statement</a>'

TEMPLATE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: Liverpool City Region Data Commons</title>
<link rel="stylesheet" href="page.css">
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header><p><a href="../">Stories for residents</a> · <a href="/services/register/">Public register</a></p></header>
<main id="main">
{body}</main>
<footer><p>Generated from docs/accessibility.md of the LCR Data Commons.</p></footer>
</body>
</html>
"""


def render(source: str | None = None) -> str:
    text = SOURCE.read_text() if source is None else source
    title = re.search(r"^# (.+)$", text, re.M)
    if not title:
        raise ValueError(f"{SOURCE}: line 1 must be the page's title ('# Accessibility statement')")
    import mistune  # only when the page is made: story kernels import URL from here

    body = mistune.create_markdown(escape=True)(text)  # any HTML in the Markdown shows as text
    return TEMPLATE.format(title=html.escape(title.group(1)), body=body)


def main() -> None:
    partial = PAGE.with_suffix(".html.partial")
    partial.write_text(render())
    partial.replace(PAGE)  # atomic: the service never serves half a page
    print(f"wrote {PAGE.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
