"""What the docs and the error messages promise exists: every `ck.NAME` is on commons_kernel, every quoted
`commons COMMAND` is in the CLI's parser, and every relative link in the docs reaches a file (and heading).

Where the names are looked for: docs/**/*.md and README.md (code spans and code blocks), and the string literals
of commons_kernel/ and hub/commons_hub/ (Python) and of their HTML templates, which is where advice lives.
"""

from __future__ import annotations

import argparse
import ast
import re
from functools import cache
from pathlib import Path

import pytest

import commons_kernel
from commons_kernel.config import PROJECT_ROOT

pytestmark = pytest.mark.unit

DOCS = sorted((PROJECT_ROOT / "docs").rglob("*.md")) + [PROJECT_ROOT / "README.md"]
CODE_DIRS = [PROJECT_ROOT / "commons_kernel", PROJECT_ROOT / "hub" / "commons_hub"]

CK_NAME = re.compile(r"(?<![\w.])ck\.([A-Za-z_]\w*)")
# `commons WORD [WORD]` where a command starts (a line, a code span, after `$ `, `(`, `;`, `|`, `&&`); a
# sub-command word is lower case: letters, digits and dashes.
COMMONS_COMMAND = re.compile(r"(?:^|[`(;|&$])\s*commons ([a-z][a-z0-9-]*)(?: ([a-z][a-z0-9-]*))?", re.M)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def relative(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))


def doc_code(text: str) -> list[str]:
    """The code in a Markdown page: fenced blocks (line by line) and inline code spans."""
    pieces = [line for block in FENCE.findall(text) for line in block.splitlines()[1:-1]]
    return pieces + CODE_SPAN.findall(FENCE.sub("", text))


def code_strings(path: Path) -> list[str]:
    """String literals of a Python file (f-strings' literal parts too), or the text of a template."""
    if path.suffix != ".py":
        return [path.read_text(encoding="utf-8")]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.value.replace("``", "`")
        for node in ast.walk(tree)  # reStructuredText's ``code`` too
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


@cache
def quoted() -> list[tuple[str, str]]:
    """(where, piece of code or message) for every doc page and every source file."""
    found = [(relative(page), piece) for page in DOCS for piece in doc_code(page.read_text(encoding="utf-8"))]
    for folder in CODE_DIRS:
        for path in sorted([*folder.rglob("*.py"), *folder.rglob("*.html")]):
            if "__pycache__" not in path.parts:
                found += [(relative(path), text) for text in code_strings(path)]
    return found


def ck_names() -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    for where, text in quoted():
        for name in CK_NAME.findall(text):
            names.setdefault(name, set()).add(where)
    return names


def test_every_ck_name_in_the_docs_and_messages_exists():
    names = ck_names()
    assert {"read", "propose_project", "vote", "contribute", "proposals", "contributions"} <= set(names)
    missing = {name: sorted(where) for name, where in names.items() if not hasattr(commons_kernel, name)}
    assert not missing, f"quoted as ck.NAME but not on commons_kernel: {missing}"


def cli_tree() -> dict[str, set[str] | None]:
    """Top-level command → its sub-command names (None when it takes no sub-command)."""
    from commons_hub.cli import build_parser

    def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser] | None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return None

    top = subcommands(build_parser()) or {}
    return {name: (set(subs) if (subs := subcommands(parser)) is not None else None) for name, parser in top.items()}


def commons_commands() -> dict[tuple[str, str | None], set[str]]:
    commands: dict[tuple[str, str | None], set[str]] = {}
    for where, text in quoted():
        if where.endswith((".py", ".html")):
            # In code only the quoted commands are promises (prose says "the commons ..." everywhere).
            candidates = CODE_SPAN.findall(text)
        else:
            candidates = [text]
        for candidate in candidates:
            for command, sub in COMMONS_COMMAND.findall(candidate):
                commands.setdefault((command, sub or None), set()).add(where)
    return commands


def test_every_commons_command_in_the_docs_and_messages_is_in_the_cli():
    tree = cli_tree()
    commands = commons_commands()
    assert ("up", None) in commands and ("audit", "verify") in commands
    problems = {}
    for (command, sub), where in sorted(commands.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        if command not in tree:
            problems[f"commons {command}"] = sorted(where)
        elif sub and tree[command] is not None and sub not in tree[command]:
            problems[f"commons {command} {sub}"] = sorted(where)
    assert not problems, f"quoted but not commands of `commons` (hub/commons_hub/commands): {problems}"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    result = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", text, re.M):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        result.add(base if n == 0 else f"{base}-{n}")
    return result | set(re.findall(r"<a (?:name|id)=\"([^\"]+)\"", text))


def relative_links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    text = CODE_SPAN.sub("", text)
    return [
        target
        for target in LINK.findall(text)
        if not re.match(r"[a-z][a-z0-9+.-]*:", target) and not target.startswith("/")
    ]


@pytest.mark.parametrize("page", DOCS, ids=relative)
def test_every_relative_link_reaches_a_file_and_heading(page):
    broken = []
    for target in relative_links(page):
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            shown = relative(resolved) if resolved.is_relative_to(PROJECT_ROOT) else resolved
            broken.append(f"{target}: no file {shown}")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading #{anchor} in {relative(resolved)}")
    assert not broken, f"{relative(page)} links to: {broken}"


def test_the_checks_catch_what_they_look_for(tmp_path):
    assert CK_NAME.findall("`ck.read('x')`, stock.read(), ck.propose_project(...)") == ["read", "propose_project"]
    assert [
        COMMONS_COMMAND.findall(piece)
        for piece in doc_code(
            "run `commons audit verify --head ID:HASH`; the commons is up\n```sh\n$ commons up\nhelm x commons y\n```\n"
        )
    ] == [[("up", "")], [], [("audit", "verify")]]
    assert slug("The data owner's veto") == "the-data-owners-veto" and slug("`ck.read`, in code") == "ckread-in-code"
    page = tmp_path / "a.md"
    page.write_text("# Title\n\n[x](b.md#nope) [y](https://example.org) [z](/services/register/) `[w](no.md)`\n")
    (tmp_path / "b.md").write_text("## Here\n")
    assert relative_links(page) == ["b.md#nope"] and anchors(tmp_path / "b.md") == {"here"}
