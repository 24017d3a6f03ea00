"""Griffe extension for the API reference: biomem's reStructuredText habits, rendered as Markdown.

biomem's docstrings are prose with a few reST constructs that Markdown shows literally. Before
mkdocstrings renders a docstring, this extension rewrites them:

- roles: ``:class:`~biomem.results.SimulationResult``` becomes ```SimulationResult``` (a code span;
  ``~`` keeps the last dotted component, as Sphinx does), ``:func:`lower``` becomes ```lower```;
- ``.. math::`` directives: the directive line is dropped, leaving the indented formula as a code
  block;
- a paragraph ending in ``::`` (reST's "literal block follows") ends in ``:``.

Loaded by mkdocs.yml (``plugins.mkdocstrings.handlers.python.options.extensions``); the source files
are not changed.
"""

from __future__ import annotations

import re

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|obj|exc|const|ref|doc|term):`([^`]+)`")
_MATH = re.compile(r"^([ \t]*)\.\. math::[ \t]*$", re.MULTILINE)
_LITERAL = re.compile(r"(\S)::[ \t]*$", re.MULTILINE)


def _role(match: re.Match) -> str:
    target = match.group(1).strip()
    explicit = re.fullmatch(r"(.*?)\s*<(.+)>", target)
    if explicit:                                   # :role:`text <target>`
        target = explicit.group(1) or explicit.group(2)
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    return f"`{target}`"


def convert(text: str) -> str:
    """The docstring ``text`` with reST roles, math directives and ``::`` turned into Markdown."""
    text = _ROLE.sub(_role, text)
    text = _MATH.sub("", text)
    return _LITERAL.sub(r"\1:", text)


class RestToMarkdown(griffe.Extension):
    """Rewrite every docstring once its object is loaded (see the module docstring)."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        """Convert ``obj``'s docstring in place."""
        if obj.docstring is not None:
            obj.docstring.value = convert(obj.docstring.value)
